/// What a tenant's machines decided on one input: the state it leads to and the effects the worker performs.
/// Deciding changes nothing; ``Tenant/apply(_:)`` makes the state current once the receipts are delivered.
public struct TenantDecision: Sendable, Hashable {
    /// The tenant after the input.
    public let tenant: Tenant
    /// In order: receipts to deliver first, then the requests they announce.
    public let effects: [TenantEffect]

    public var receipts: [ReceiptDraft] {
        effects.compactMap { if case .receipt(let draft) = $0 { draft } else { nil } }
    }

    public var actionRequests: [ActionRequest] {
        effects.compactMap { if case .action(let request) = $0 { request } else { nil } }
    }

    public var procurementRequests: [ProcurementRequest] {
        effects.compactMap { if case .procurement(let request) = $0 { request } else { nil } }
    }
}

public enum TenantEffect: Sendable, Hashable {
    /// A receipt for the tenant's chain (``ReceiptLedger/steps(appending:tenantID:now:after:)``).
    case receipt(ReceiptDraft)
    /// A GCP call on one of the tenant's own resources; its ``ActionResult`` comes back as an input.
    case action(ActionRequest)
    /// A Cloud Commerce Procurement call on the tenant's entitlement.
    case procurement(ProcurementRequest)
}

/// A receipt's kind and own members, before it is chained.
public struct ReceiptDraft: Sendable, Hashable {
    public var kind: ReceiptKind
    public var fields: [String: JSONValue]

    public init(kind: ReceiptKind, fields: [String: JSONValue]) {
        self.kind = kind
        self.fields = fields
    }
}

/// The `kind` of a receipt; open-ended so that other stages can add theirs.
public struct ReceiptKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// A tenant event as ``ReceiptLedger`` records it before any decision (its event id enters the dedup window).
    public static let event = ReceiptKind(rawValue: "event")
    /// A signal kept for later while an action is in flight, or dropped (`dropped`) because too many wait.
    public static let postponed = ReceiptKind(rawValue: "postponed")
    /// An input that changes nothing: an unknown metric, a stale action result, a reset with nothing to reset.
    public static let ignored = ReceiptKind(rawValue: "ignored")
    /// A state change, or a rule that fired.
    public static let transition = ReceiptKind(rawValue: "transition")
    /// A decision not to act, with its reason.
    public static let refusal = ReceiptKind(rawValue: "refusal")
    public static let actionAttempt = ReceiptKind(rawValue: "action_attempt")
    public static let actionResult = ReceiptKind(rawValue: "action_result")
    /// An entitlement snapshot taken in, and the Procurement call it asks for.
    public static let entitlement = ReceiptKind(rawValue: "entitlement")
}

/// A GCP call on a tenant's resource. The target comes from the spec's bindings only, never from an event.
public struct ActionRequest: Sendable, Hashable {
    /// `<tenant>/<n>`, n counting the tenant's requests: the same inputs give the same ids.
    public let id: String
    public let tenantID: String
    /// The spec's action name, e.g. `throttle`.
    public let action: String
    public let adapter: ActionAdapter
    /// The full resource name, e.g. `projects/p/locations/r/services/tenant-acme`.
    public let target: String
    /// The adapter's parameters with tier quotas resolved, e.g. `["max_instances": 4]`.
    public let parameters: [String: JSONValue]
    /// The rule that fired it.
    public let rule: String

    /// As written on receipts.
    var receiptValue: JSONValue {
        [
            "id": .string(id), "name": .string(action), "adapter": .string(adapter.name), "target": .string(target),
            "parameters": .object(parameters),
        ]
    }
}

/// A Procurement call on an entitlement (reference/gcp.md §6.4).
public struct ProcurementRequest: Sendable, Hashable {
    public let entitlementID: String
    public let call: Call

    public enum Call: Sendable, Hashable {
        /// `:approve`, from `ENTITLEMENT_ACTIVATION_REQUESTED`.
        case approve
        /// `:reject` with the spec's reason.
        case reject(reason: String)
        /// `:approvePlanChange` with `pendingPlanName`.
        case approvePlanChange(pendingPlan: String)
        /// `:rejectPlanChange` with `pendingPlanName` and the spec's reason.
        case rejectPlanChange(pendingPlan: String, reason: String)
    }

    /// As written on receipts.
    var receiptValue: JSONValue {
        var value: [String: JSONValue] = ["entitlement_id": .string(entitlementID)]
        switch call {
        case .approve:
            value["call"] = "approve"
        case .reject(let reason):
            value["call"] = "reject"
            value["reason"] = .string(reason)
        case .approvePlanChange(let plan):
            value["call"] = "approvePlanChange"
            value["pending_plan"] = .string(plan)
        case .rejectPlanChange(let plan, let reason):
            value["call"] = "rejectPlanChange"
            value["pending_plan"] = .string(plan)
            value["reason"] = .string(reason)
        }
        return .object(value)
    }
}
