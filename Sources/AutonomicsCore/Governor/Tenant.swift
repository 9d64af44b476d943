/// One tenant's state: its entitlement and governor machines. A value: ``decide(_:spec:)`` is a pure function of
/// (spec, this state, input) and changes nothing; ``apply(_:)`` makes a decision's state current once its receipts
/// are delivered, as ``ReceiptLedger/commit(_:)`` does for the chain.
public struct Tenant: Sendable, Hashable {
    public let id: String
    public internal(set) var entitlement = EntitlementMachine()
    public internal(set) var governor = GovernorMachine()

    public init(id: String) {
        self.id = id
    }

    /// What `input` does to this tenant under `spec`: the next state and the effects, in order.
    public func decide(_ input: TenantInput, spec: SKUSpec) -> TenantDecision {
        var next = self
        var log = DecisionLog(input: input)
        switch input {
        case .signal(let signal):
            next.governor.take(signal, context: next.context(spec), log: &log)
        case .entitlement(let snapshot):
            let planBefore = next.entitlement.plan
            guard next.entitlement.take(snapshot, tenantID: id, spec: spec, log: &log) else { break }
            next.governor.entitlementChanged(
                context: next.context(spec), planChanged: next.entitlement.plan != planBefore, log: &log)
        case .actionResult(let result):
            next.governor.take(result, context: next.context(spec), log: &log)
        case .operatorCommand(let command):
            next.governor.take(command, context: next.context(spec), log: &log)
        }
        return TenantDecision(tenant: next, effects: log.effects)
    }

    /// Makes a decision's state current.
    public mutating func apply(_ decision: TenantDecision) {
        precondition(decision.tenant.id == id, "a decision applies to the tenant it was decided for")
        self = decision.tenant
    }

    /// ``decide(_:spec:)`` and ``apply(_:)`` at once, for callers that deliver nothing (tests, tools).
    public mutating func handle(_ input: TenantInput, spec: SKUSpec) -> [TenantEffect] {
        let decision = decide(input, spec: spec)
        apply(decision)
        return decision.effects
    }

    /// What the governor needs to know of the spec and the entitlement.
    private func context(_ spec: SKUSpec) -> GovernorMachine.Context {
        GovernorMachine.Context(
            spec: spec, tenantID: id, entitlementState: entitlement.state, plan: entitlement.plan,
            tier: entitlement.isServing ? entitlement.plan.flatMap(spec.tier(forPlan:)) : nil)
    }
}

/// The effects of one decision as they are decided, each receipt stamped with the input that caused it.
struct DecisionLog {
    private(set) var effects: [TenantEffect] = []
    /// The members naming the input, on every receipt.
    private var inputFields: [String: JSONValue]

    init(input: TenantInput) {
        inputFields = Self.fields(of: input)
    }

    mutating func receipt(
        _ kind: ReceiptKind,
        machine: String,
        before: String,
        after: String,
        _ fields: [String: JSONValue] = [:]
    ) {
        var members = inputFields.merging(fields) { _, own in own }
        members["machine"] = .string(machine)
        members["state_before"] = .string(before)
        members["state_after"] = .string(after)
        effects.append(.receipt(ReceiptDraft(kind: kind, fields: members)))
    }

    mutating func request(_ request: ActionRequest) {
        effects.append(.action(request))
    }

    mutating func request(_ request: ProcurementRequest) {
        effects.append(.procurement(request))
    }

    /// Runs `body` with receipts naming a postponed signal as their input.
    mutating func reevaluating(_ signal: TenantSignal, _ body: (inout DecisionLog) -> Void) {
        let saved = inputFields
        inputFields = Self.fields(of: .signal(signal))
        inputFields["reevaluated"] = true
        body(&self)
        inputFields = saved
    }

    private static func fields(of input: TenantInput) -> [String: JSONValue] {
        var fields: [String: JSONValue]
        switch input {
        case .signal(let signal):
            fields = [
                "input": "signal", "event_id": .string(signal.eventID), "metric": .string(signal.metric),
                "value": .string(signal.value),
            ]
        case .entitlement(let snapshot):
            fields = ["input": "entitlement"]
            if let eventID = snapshot.eventID { fields["event_id"] = .string(eventID) }
        case .actionResult(let result):
            fields = ["input": "action_result", "request_id": .string(result.requestID)]
        case .operatorCommand(let command):
            fields = [
                "input": "operator_command", "event_id": .string(command.commandID),
                "command": .string(command.kind.rawValue),
            ]
            if let issuer = command.issuedBy { fields["issued_by"] = .string(issuer) }
        }
        fields["event_time"] = .string(RFC3339.format(milliseconds: input.time))
        return fields
    }
}
