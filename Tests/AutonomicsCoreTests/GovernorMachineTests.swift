import Testing

@testable import AutonomicsCore

@Suite("Governor machine: every (state, input) cell")
struct GovernorMachineTests {
    typealias State = Tenant.GovernorMachine.State
    typealias F = PolicyFixtures

    /// The inputs of the table, one of each kind that matters to the governor.
    enum Input: String, CaseIterable, CustomTestStringConvertible {
        case lowSignal, highSignal, errorBurst, unknownMetric, entitlementActive, entitlementSuspended
        case actionSucceeded, actionFailed, staleResult, reset

        var testDescription: String { rawValue }

        var value: TenantInput {
            let time = F.start + 60_000
            return switch self {
            case .lowSignal: F.signal("cpu", "10", id: "low", at: time)
            case .highSignal: F.signal("cpu_utilization", "95", id: "high", at: time)
            case .errorBurst: F.signal("errors", "7.5", id: "errors", at: time)
            case .unknownMetric: F.signal("disk", "99", id: "disk", at: time)
            case .entitlementActive: F.entitlement(.active, at: time)
            case .entitlementSuspended: F.entitlement(.suspended, at: time)
            case .actionSucceeded: F.result("acme/1", .succeeded, at: time)
            case .actionFailed: F.result("acme/1", .failed, at: time)
            case .staleResult: F.result("acme/7", .succeeded, at: time)
            case .reset: F.reset(at: time)
            }
        }
    }

    /// A `pro` tenant brought into `state` by real inputs (intervening: `acme/1` throttles it).
    static func tenant(in state: State) -> Tenant {
        var tenant = Tenant(id: "acme")
        let high = F.signal("cpu", "95")
        let setup: [TenantInput] =
            switch state {
            case .boot: []
            case .stable: [F.entitlement(.active)]
            case .warning: [F.entitlement(.active), high]
            case .intervening: [F.entitlement(.active), high, high]
            case .degraded: [F.entitlement(.active), high, high, F.result("acme/1", .failed)]
            case .refusing: [F.entitlement(.suspended)]
            }
        F.feed(&tenant, setup)
        precondition(tenant.governor.state == state)
        return tenant
    }

    /// The next state and the receipt kinds of each cell (`-` for none), written out by hand.
    static let table: [State: [Input: (State, String)]] = [
        .boot: [
            .lowSignal: (.boot, "refusal"), .highSignal: (.boot, "refusal"), .errorBurst: (.boot, "refusal"),
            .unknownMetric: (.boot, "ignored"), .entitlementActive: (.stable, "entitlement transition"),
            .entitlementSuspended: (.refusing, "entitlement transition"), .actionSucceeded: (.boot, "ignored"),
            .actionFailed: (.boot, "ignored"), .staleResult: (.boot, "ignored"), .reset: (.boot, "ignored"),
        ],
        .stable: [
            .lowSignal: (.stable, "-"), .highSignal: (.warning, "transition"), .errorBurst: (.refusing, "refusal"),
            .unknownMetric: (.stable, "ignored"), .entitlementActive: (.stable, "entitlement"),
            .entitlementSuspended: (.refusing, "entitlement transition"), .actionSucceeded: (.stable, "ignored"),
            .actionFailed: (.stable, "ignored"), .staleResult: (.stable, "ignored"), .reset: (.stable, "ignored"),
        ],
        .warning: [
            .lowSignal: (.stable, "transition"), .highSignal: (.intervening, "transition action_attempt"),
            .errorBurst: (.refusing, "refusal"), .unknownMetric: (.warning, "ignored"),
            .entitlementActive: (.warning, "entitlement"), .entitlementSuspended: (.refusing, "entitlement transition"),
            .actionSucceeded: (.warning, "ignored"), .actionFailed: (.warning, "ignored"),
            .staleResult: (.warning, "ignored"),
            .reset: (.warning, "ignored"),
        ],
        .intervening: [
            .lowSignal: (.intervening, "postponed"), .highSignal: (.intervening, "postponed"),
            .errorBurst: (.intervening, "postponed"),
            .unknownMetric: (.intervening, "ignored"), .entitlementActive: (.intervening, "entitlement"),
            .entitlementSuspended: (.refusing, "entitlement transition"), .actionSucceeded: (.stable, "action_result"),
            .actionFailed: (.degraded, "action_result"), .staleResult: (.intervening, "ignored"),
            .reset: (.intervening, "ignored"),
        ],
        .degraded: [
            .lowSignal: (.degraded, "-"), .highSignal: (.degraded, "-"), .errorBurst: (.refusing, "refusal"),
            .unknownMetric: (.degraded, "ignored"), .entitlementActive: (.degraded, "entitlement"),
            .entitlementSuspended: (.refusing, "entitlement transition"), .actionSucceeded: (.degraded, "ignored"),
            .actionFailed: (.degraded, "ignored"), .staleResult: (.degraded, "ignored"),
            .reset: (.stable, "transition"),
        ],
        .refusing: [
            .lowSignal: (.refusing, "refusal"), .highSignal: (.refusing, "refusal"),
            .errorBurst: (.refusing, "refusal"),
            .unknownMetric: (.refusing, "ignored"), .entitlementActive: (.stable, "entitlement transition"),
            .entitlementSuspended: (.refusing, "entitlement"), .actionSucceeded: (.refusing, "ignored"),
            .actionFailed: (.refusing, "ignored"), .staleResult: (.refusing, "ignored"), .reset: (.refusing, "refusal"),
        ],
    ]

    @Test("the table covers every state and input")
    func complete() {
        #expect(Set(Self.table.keys) == Set(State.allCases))
        for row in Self.table.values { #expect(Set(row.keys) == Set(Input.allCases)) }
    }

    @Test(
        "each cell: next state, receipts, and an action only for warning + the second high", arguments: State.allCases)
    func row(_ state: State) throws {
        let row = try #require(Self.table[state])
        for input in Input.allCases {
            let (next, kinds) = try #require(row[input])
            let before = Self.tenant(in: state)
            let decision = before.decide(input.value, spec: F.spec)
            #expect(decision.tenant.governor.state == next, "\(state) + \(input)")
            let written = decision.receipts.map(\.kind.rawValue)
            #expect(
                written == (kinds == "-" ? [] : kinds.split(separator: " ").map(String.init)), "\(state) + \(input)")
            let expectsAction = state == .warning && input == .highSignal
            #expect(decision.actionRequests.count == (expectsAction ? 1 : 0), "\(state) + \(input)")
            // Deciding changed nothing.
            #expect(before == Self.tenant(in: state))
            for receipt in decision.receipts where receipt.fields["machine"] == "governor" {
                #expect(receipt.fields["state_after"] != nil && receipt.fields["state_before"] != nil)
                #expect(receipt.fields["event_time"] == "2026-11-20T12:01:00.000Z")
            }
        }
    }

    @Test("an action request carries the bound target and the tier's quota")
    func actionRequest() throws {
        let decision = Self.tenant(in: .warning).decide(Input.highSignal.value, spec: F.spec)
        let request = try #require(decision.actionRequests.first)
        #expect(request.id == "acme/1")
        #expect(request.action == "throttle")
        #expect(request.adapter == .cloudRunThrottle(maxInstances: .quota("throttled_max_instances")))
        #expect(request.target == "projects/tenants/locations/us-central1/services/tenant-acme")
        #expect(request.parameters == ["max_instances": 5])
        #expect(request.rule == "cpu-high")
        #expect(decision.tenant.governor.inFlight == request)
        let attempt = try #require(decision.receipts.last)
        #expect(attempt.fields["action"]?["target"] == .string(request.target))
        #expect(attempt.fields["rule"] == "cpu-high")
    }

    @Test("signals postponed while intervening are bounded, counted, and re-evaluated after the result")
    func postponed() throws {
        var tenant = Self.tenant(in: .intervening)
        for index in 0..<5 { F.feed(&tenant, [F.signal("cpu", "99", id: "p\(index)")]) }
        #expect(tenant.governor.postponed.map(\.eventID) == ["p0", "p1", "p2"])
        #expect(tenant.governor.postponedOverflow == 2)

        // The result frees the slot: p0 and p1 are two highs again, so the rule fires and p2 waits anew.
        let effects = tenant.handle(F.result("acme/1", .succeeded), spec: F.spec)
        #expect(F.kinds(effects) == ["action_result", "transition", "transition", "action_attempt", "postponed"])
        #expect(tenant.governor.state == .intervening)
        #expect(tenant.governor.inFlight?.id == "acme/2")
        #expect(tenant.governor.postponed.map(\.eventID) == ["p2"])
        let reevaluated = effects.compactMap { if case .receipt(let draft) = $0 { draft } else { nil } }.dropFirst()
        #expect(reevaluated.allSatisfy { $0.fields["reevaluated"] == true })
        let result = try #require(effects.first.flatMap { if case .receipt(let draft) = $0 { draft } else { nil } })
        #expect(result.fields["http_status"] == 200)
        #expect(result.fields["pre_action_value"] == ["max_instances": 100])
    }

    @Test("a rule's actions run one after the other, each after the previous succeeded")
    func actionSequence() throws {
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active, plan: "basic-monthly"), F.signal("cpu", "95"), F.signal("cpu", "95")])
        #expect(tenant.governor.inFlight?.action == "throttle")
        #expect(tenant.governor.inFlight?.parameters == ["max_instances": 2])
        let next = tenant.handle(F.result("acme/1", .succeeded), spec: F.spec)
        #expect(F.kinds(next) == ["action_result", "action_attempt"])
        #expect(tenant.governor.inFlight?.action == "pause-job")
        #expect(tenant.governor.inFlight?.target == "projects/tenants/locations/us-central1/jobs/tenant-acme-sync")
        F.feed(&tenant, [F.result("acme/2", .succeeded)])
        #expect(tenant.governor.state == .stable)
        #expect(tenant.governor.inFlight == nil)
    }

    @Test("a spec reloaded without the next action refuses it instead of trapping")
    func reloadedSpec() throws {
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active, plan: "basic-monthly"), F.signal("cpu", "95"), F.signal("cpu", "95")])
        let withoutJob = try #require(
            F.replacing(
                ["rules", 0, "tiers", "basic", "actions"], with: ["throttle"],
                in: F.replacing(["actions", "pause-job"], with: nil)!))
        let reloaded = try SKUSpec(document: withoutJob, source: F.source)
        let effects = tenant.handle(F.result("acme/1", .succeeded), spec: reloaded)
        #expect(F.kinds(effects) == ["action_result", "refusal", "transition"])
        #expect(tenant.governor.state == .stable)
        #expect(tenant.governor.inFlight == nil)
    }

    @Test("a failed action stops the rest of the rule's actions and degrades the tenant")
    func failureStopsSequence() {
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active, plan: "basic-monthly"), F.signal("cpu", "95"), F.signal("cpu", "95")])
        let effects = tenant.handle(F.result("acme/1", .failed), spec: F.spec)
        #expect(F.kinds(effects) == ["action_result"])
        #expect(tenant.governor.state == .degraded)
        // Degraded: a rule that fires again is refused, not acted on.
        let refused = tenant.handle(F.signal("memory_utilization", "95"), spec: F.spec)
        #expect(F.kinds(refused) == ["refusal"])
        #expect(tenant.governor.inFlight == nil)
    }

    @Test("losing the entitlement mid-flight refuses; the result is recorded and nothing follows it")
    func entitlementLostInFlight() {
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active, plan: "basic-monthly"), F.signal("cpu", "95"), F.signal("cpu", "95")])
        F.feed(&tenant, [F.entitlement(.suspended, plan: "basic-monthly")])
        #expect(tenant.governor.state == .refusing)
        let effects = tenant.handle(F.result("acme/1", .succeeded), spec: F.spec)
        #expect(F.kinds(effects) == ["action_result"])
        #expect(tenant.governor.inFlight == nil)
        #expect(tenant.governor.state == .refusing)
    }

    @Test("reactivated with an action in flight: back to intervening, not a second action")
    func reactivatedInFlight() {
        var tenant = Self.tenant(in: .intervening)
        F.feed(&tenant, [F.entitlement(.suspended), F.entitlement(.active)])
        #expect(tenant.governor.state == .intervening)
        #expect(tenant.governor.inFlight?.id == "acme/1")
    }

    @Test("a rule's refusal lasts until a plan change or an operator reset, not a mere re-read")
    func ruleRefusal() {
        var tenant = Self.tenant(in: .stable)
        F.feed(&tenant, [F.signal("errors", "50")])
        #expect(tenant.governor.refusal == .rule(name: "error-burst", reason: "error rate beyond the plan"))
        F.feed(&tenant, [F.entitlement(.active)])
        #expect(tenant.governor.state == .refusing)
        F.feed(&tenant, [F.entitlement(.active, plan: "basic-monthly")])
        #expect(tenant.governor.state == .stable)

        var reset = Self.tenant(in: .stable)
        F.feed(&reset, [F.signal("errors", "50"), F.reset()])
        #expect(reset.governor.state == .stable)
    }

    @Test("an unsafe tenant id gets a refusal instead of an action")
    func unsafeTenant() {
        var tenant = Tenant(id: "acme/../globex")
        let effects = F.feed(&tenant, [F.entitlement(.active), F.signal("cpu", "95"), F.signal("cpu", "95")])
        #expect(F.kinds(effects) == ["transition", "refusal"])
        #expect(tenant.governor.inFlight == nil)
        #expect(tenant.governor.state == .warning)
    }
}
