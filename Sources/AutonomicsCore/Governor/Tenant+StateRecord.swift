/// A tenant's state as a JSON record with a canonical encoding, for the compacted `autonomics.state` topic: a
/// restored tenant continues where it stopped, and re-issues the action it had in flight.
extension Tenant {
    public var stateRecord: JSONValue {
        var entitlementRecord: [String: JSONValue] = ["state": .string(entitlement.state.rawValue)]
        entitlementRecord["id"] = entitlement.entitlementID.map(JSONValue.string)
        entitlementRecord["plan"] = entitlement.plan.map(JSONValue.string)
        entitlementRecord["pending_plan"] = entitlement.pendingPlan.map(JSONValue.string)
        entitlementRecord["update_time"] = entitlement.updateTime.map(JSONValue.integer)

        var governorRecord: [String: JSONValue] = [
            "state": .string(governor.state.rawValue),
            "postponed": .array(governor.postponed.map(\.stateRecord)),
            "postponed_overflow": .integer(governor.postponedOverflow),
            "high_streaks": .object(governor.highStreaks.mapValues { .integer(Int64($0)) }),
            "remaining_actions": .array(governor.remainingActions.map(JSONValue.string)),
            "request_count": .integer(governor.requestCount),
        ]
        governorRecord["refusal"] = governor.refusal?.stateRecord
        governorRecord["in_flight"] = governor.inFlight?.stateRecord
        return [
            "tenant_id": .string(id), "entitlement": .object(entitlementRecord), "governor": .object(governorRecord),
        ]
    }

    /// Restores a tenant from its ``stateRecord``.
    /// - Parameter source: where the record was read, e.g. `"autonomics.state/3@1207"`, named in errors.
    /// - Throws: ``SpecError`` naming the member that does not have the record's shape.
    public init(stateRecord: JSONValue, source: String) throws(SpecError) {
        let root = SpecReader(document: stateRecord, source: source)
        _ = try root.table(known: ["tenant_id", "entitlement", "governor"])
        self.init(id: try root.required("tenant_id").string())

        let entitlementRecord = try root.required("entitlement")
        _ = try entitlementRecord.table(known: ["state", "id", "plan", "pending_plan", "update_time"])
        entitlement.state = try entitlementRecord.required("state").oneOf(EntitlementMachine.State.self)
        entitlement.entitlementID = try entitlementRecord.optional("id")?.string()
        entitlement.plan = try entitlementRecord.optional("plan")?.string()
        entitlement.pendingPlan = try entitlementRecord.optional("pending_plan")?.string()
        entitlement.updateTime = try entitlementRecord.optional("update_time")?.integer(in: RFC3339.representableMilliseconds)

        let governorRecord = try root.required("governor")
        _ = try governorRecord.table(known: [
            "state", "refusal", "in_flight", "postponed", "postponed_overflow", "high_streaks", "remaining_actions",
            "request_count",
        ])
        governor.state = try governorRecord.required("state").oneOf(GovernorMachine.State.self)
        governor.refusal = try governorRecord.optional("refusal").map(GovernorMachine.Refusal.init(stateRecord:))
        governor.inFlight = try governorRecord.optional("in_flight").map(ActionRequest.init(stateRecord:))
        for signal in try governorRecord.required("postponed").array() {
            governor.postponed.append(try TenantSignal(stateRecord: signal))
        }
        governor.postponedOverflow = try governorRecord.required("postponed_overflow").integer(
            in: 0...CanonicalJSON.maximumInteger)
        for (rule, streak) in try governorRecord.required("high_streaks").entries() {
            governor.highStreaks[rule] = Int(try streak.integer(in: 1...1000))
        }
        governor.remainingActions = try governorRecord.required("remaining_actions").strings()
        governor.requestCount = try governorRecord.required("request_count").integer(
            in: 0...CanonicalJSON.maximumInteger)
    }
}

extension Tenant.GovernorMachine.Refusal {
    var stateRecord: JSONValue {
        switch self {
        case .entitlement(let state): ["entitlement": .string(state.rawValue)]
        case .planWithoutTier(let plan): ["plan_without_tier": .string(plan)]
        case .rule(let name, let reason): ["rule": .string(name), "reason": .string(reason)]
        }
    }

    init(stateRecord reader: SpecReader) throws(SpecError) {
        let members = try reader.table(known: ["entitlement", "plan_without_tier", "rule", "reason"])
        if members["entitlement"] != nil {
            self = .entitlement(try reader.required("entitlement").oneOf(Tenant.EntitlementMachine.State.self))
        } else if members["plan_without_tier"] != nil {
            self = .planWithoutTier(try reader.required("plan_without_tier").string())
        } else {
            self = .rule(name: try reader.required("rule").string(), reason: try reader.required("reason").string())
        }
    }
}

extension ActionRequest {
    var stateRecord: JSONValue {
        var record = receiptValue.objectValue!
        record["tenant_id"] = .string(tenantID)
        record["rule"] = .string(rule)
        if case .cloudRunThrottle(let limit) = adapter {
            switch limit {
            case .count(let count): record["limit"] = ["count": .integer(count)]
            case .quota(let quota): record["limit"] = ["quota": .string(quota)]
            }
        }
        return .object(record)
    }

    init(stateRecord reader: SpecReader) throws(SpecError) {
        _ = try reader.table(known: ["id", "tenant_id", "name", "adapter", "limit", "target", "parameters", "rule"])
        var adapter = try reader.required("adapter").adapterSample()
        if case .cloudRunThrottle = adapter {
            let limit = try reader.required("limit")
            if let quota = try limit.optional("quota") {
                adapter = .cloudRunThrottle(maxInstances: .quota(try quota.string()))
            } else {
                adapter = .cloudRunThrottle(maxInstances: .count(try limit.required("count").integer(in: 1...1000)))
            }
        }
        let parameters = try reader.required("parameters")
        _ = try parameters.entries()
        self.init(
            id: try reader.required("id").string(), tenantID: try reader.required("tenant_id").string(),
            action: try reader.required("name").string(), adapter: adapter,
            target: try reader.required("target").string(),
            parameters: parameters.value.objectValue!, rule: try reader.required("rule").string())
    }
}

extension TenantSignal {
    var stateRecord: JSONValue {
        ["event_id": .string(eventID), "metric": .string(metric), "value": .string(value), "time": .integer(time)]
    }

    init(stateRecord reader: SpecReader) throws(SpecError) {
        _ = try reader.table(known: ["event_id", "metric", "value", "time"])
        self.init(
            eventID: try reader.required("event_id").string(), metric: try reader.required("metric").string(),
            value: try reader.required("value").string(),
            time: try reader.required("time").integer(in: RFC3339.representableMilliseconds))
    }
}
