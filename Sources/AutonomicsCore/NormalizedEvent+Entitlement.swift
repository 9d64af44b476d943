/// What a Procurement `GET providers/{p}/entitlements/{e}` answered, as the intake hands it to an entitlement event.
public struct EntitlementLookup: Sendable, Hashable {
    /// `providers/{p}/entitlements/{e}`.
    public var name: String
    /// The id of the entitlement's account (the last segment of `providers/{p}/accounts/{a}`): the tenant.
    public var accountID: String
    /// `Entitlement.state` as Procurement spells it, e.g. `ENTITLEMENT_ACTIVE`; nil when the GET found no such
    /// entitlement any more (404) and the account is known from an earlier read: it was deleted.
    public var state: String?
    public var plan: String?
    public var newPendingPlan: String?
    /// `Entitlement.updateTime` (RFC 3339), which orders the reads of one entitlement.
    public var updateTime: String?

    public init(
        name: String, accountID: String, state: String?, plan: String? = nil, newPendingPlan: String? = nil,
        updateTime: String? = nil
    ) {
        self.name = name
        self.accountID = accountID
        self.state = state
        self.plan = plan
        self.newPendingPlan = newPendingPlan
        self.updateTime = updateTime
    }
}

/// Marketplace entitlement events: a pointer to an entitlement until the intake has read it, then an event of the
/// entitlement's account carrying what the read found, so that the governor decides from the GET's answer and
/// never from the message ("Marketplace messages are pointers: GET the entitlement and act on its state").
extension NormalizedEvent {
    /// ``tenantResolution`` of an entitlement event the intake has not resolved yet.
    static let pendingEntitlementResolution = "marketplace.entitlement.id:pending_procurement_lookup"
    /// ``tenantResolution`` of an entitlement event whose tenant is the account of its Procurement GET.
    public static let procurementAccountResolution = "procurement.entitlement.account"

    /// The entitlement whose Procurement GET names this event's tenant, and the `providerId` the message gave, if
    /// any; nil for every event whose tenant is known already.
    public var pendingEntitlement: (id: String, providerID: String?)? {
        guard format == .marketplace, tenantResolution == Self.pendingEntitlementResolution,
            let id = data["entitlement_id"]?.stringValue
        else { return nil }
        return (id, data["provider_id"]?.stringValue)
    }

    /// This event as the event of the entitlement's account, carrying the GET's answer in `data` as
    /// `procurement_entitlement`, `procurement_account_id`, `procurement_found` (false for a deleted entitlement),
    /// `procurement_state`, `procurement_plan` and `procurement_new_pending_plan` (the message's own members stay
    /// as they were, under `entitlement_*`).
    /// - Throws: a ``Rejection`` with code ``RejectionCode/entitlementUnresolvable`` when the account id is no
    ///   tenant id or the state is one the entitlement machine does not know.
    public func resolved(by lookup: EntitlementLookup) throws(Rejection) -> NormalizedEvent {
        guard Normalizer.isValidTenantID(lookup.accountID) else {
            throw Rejection(
                code: .entitlementUnresolvable,
                message: "\(lookup.name) belongs to account \"\(lookup.accountID)\", which is no tenant id of 1–256 printable ASCII characters")
        }
        if let state = lookup.state, Tenant.EntitlementMachine.State(procurementState: state) == nil {
            throw Rejection(code: .entitlementUnresolvable, message: "\(lookup.name) is in state \"\(state)\", which this worker does not know")
        }
        var event = self
        event.tenantID = lookup.accountID
        event.tenantResolution = Self.procurementAccountResolution
        event.data["procurement_entitlement"] = .string(lookup.name)
        event.data["procurement_account_id"] = .string(lookup.accountID)
        event.data["procurement_found"] = .bool(lookup.state != nil)
        event.data["procurement_state"] = lookup.state.map(JSONValue.string)
        event.data["procurement_plan"] = lookup.plan.map(JSONValue.string)
        event.data["procurement_new_pending_plan"] = lookup.newPendingPlan.map(JSONValue.string)
        event.data["procurement_update_time"] = lookup.updateTime.map(JSONValue.string)
        return event
    }
}

extension EntitlementSnapshot {
    /// The snapshot a resolved entitlement event carries (``NormalizedEvent/resolved(by:)``), taken at the event's
    /// time, as the governor reads it from the tenant-events topic (``TenantInput/init(_:)``); nil for any other event.
    public init?(_ event: NormalizedEvent) {
        guard let parsed = try? ParsedTenantEvent(decoding: event.encoded()),
            case .entitlement(let snapshot) = TenantInput(parsed)
        else { return nil }
        self = snapshot
    }
}
