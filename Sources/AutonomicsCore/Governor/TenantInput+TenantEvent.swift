extension TenantInput {
    /// What a tenant event gives the machines: a signal (a direct one, or an open Cloud Monitoring incident's metric
    /// type and observed value), or an entitlement snapshot (a Marketplace event whose entitlement the intake read
    /// from the Procurement API, ``NormalizedEvent/resolved(by:)``). Nil for the rest: a closed incident, a
    /// Marketplace event about an account, an entitlement in a state this worker does not know.
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
            // A Marketplace event the intake resolved through the Procurement GET (NormalizedEvent.resolved(by:)).
            guard document.string(at: event.tenantResolution) == NormalizedEvent.procurementAccountResolution,
                let entitlementID = string("procurement_entitlement")
            else { return nil }
            let state: Tenant.EntitlementMachine.State
            if let found = document.member("procurement_found", of: event.data), document.kind(of: found) == .false {
                state = .deleted
            } else if let known = string("procurement_state").flatMap(Tenant.EntitlementMachine.State.init(procurementState:)) {
                state = known
            } else {
                return nil
            }
            self = .entitlement(
                EntitlementSnapshot(
                    entitlementID: entitlementID, state: state, plan: string("procurement_plan"),
                    newPendingPlan: string("procurement_new_pending_plan"),
                    updateTime: string("procurement_update_time").flatMap(RFC3339.parse), eventID: eventID, time: event.eventTime))
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
