extension TenantInput {
    /// What a tenant event gives the machines: a signal (a direct one, or an open Cloud Monitoring incident's metric
    /// type and observed value), or an entitlement snapshot (a Marketplace event whose entitlement the intake read
    /// from the Procurement API: `data.entitlement_id`, `entitlement_state`, `entitlement_plan`,
    /// `entitlement_new_pending_plan`, flattened as the intake flattens every entitlement member). Nil for the rest:
    /// a closed incident, a Marketplace event about an account, an entitlement in a state this worker does not know.
    public init?(_ event: ParsedTenantEvent) {
        let document = event.document
        func string(_ key: String) -> String? {
            guard let node = document.member(key, of: event.data), document.kind(of: node) == .string else { return nil }
            return document.string(at: node)
        }
        let eventID = document.string(at: event.eventID)
        switch event.format {
        case .signal:
            guard let signal = TenantSignal(eventID: eventID, metric: string("metric"), value: string("value"), time: event.eventTime)
            else { return nil }
            self = .signal(signal)
        case .monitoring:
            guard string("state") == "open",
                let signal = TenantSignal(
                    eventID: eventID, metric: string("metric_type"), value: string("observed_value"), time: event.eventTime)
            else { return nil }
            self = .signal(signal)
        case .marketplace:
            guard let entitlementID = string("entitlement_id"),
                let state = string("entitlement_state").flatMap(Tenant.EntitlementMachine.State.init(procurementState:))
            else { return nil }
            self = .entitlement(
                EntitlementSnapshot(
                    entitlementID: entitlementID, state: state, plan: string("entitlement_plan"),
                    newPendingPlan: string("entitlement_new_pending_plan"), eventID: eventID, time: event.eventTime))
        }
    }
}

extension TenantSignal {
    /// A signal whose value is a JSON number, as the machines compare it; nil otherwise.
    init?(eventID: String, metric: String?, value: String?, time: Int64) {
        guard let metric, let value, (try? JSONValue.parse(Array(value.utf8)))?.numberText != nil else { return nil }
        self.init(eventID: eventID, metric: metric, value: value, time: time)
    }
}
