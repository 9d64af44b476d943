/// Cloud Monitoring incident notifications, schema 1.2 and the console's test payload (`"version": "test"`).
/// Fields are read defensively: most are optional and some change type between versions.
extension Normalizer {
    /// Where the tenant label is looked for, in order, below `incident`.
    private static let tenantLabelMaps = [
        ["policy_user_labels"], ["metadata", "user_labels"], ["resource", "labels"],
    ]

    /// Incident members copied into ``NormalizedEvent/data`` when they are strings.
    private static let textFields = [
        "policy_name", "condition_name", "severity", "scoping_project_id", "resource_name",
    ]
    /// Incident members copied as text, whether strings or numbers.
    private static let valueFields = ["observed_value", "threshold_value"]

    func normalizeMonitoring(
        _ fields: FieldReader,
        origin: EventOrigin,
        now: Int64
    ) throws(Rejection) -> NormalizedEvent {
        let version = try fields.requiredString("version")
        guard version == "1.2" || version == "test" else {
            throw fields.invalid("version", expected: "\"1.2\" or \"test\"", found: .string(version))
        }
        let incident = try fields.requiredObject("incident")
        let incidentID = try incident.requiredString("incident_id")
        // Real incidents say "open"/"closed", the console's test says "OPEN".
        let state = try incident.requiredString("state").lowercased()
        let startedAt = try incident.optionalEpochSeconds("started_at")
        // 0 or null while the incident is open.
        let endedAt = try incident.optionalEpochSeconds("ended_at").flatMap { $0 > 0 ? $0 : nil }
        let (tenantID, tenantResolution) = try monitoringTenant(incident)

        var data: [String: JSONValue] = Dictionary(minimumCapacity: 16)
        data["version"] = .string(version)
        data["incident_id"] = .string(incidentID)
        data["state"] = .string(state)
        if let startedAt { data["started_at"] = .integer(startedAt / 1000) }
        if let endedAt { data["ended_at"] = .integer(endedAt / 1000) }
        if let number = try incident.optionalInteger("scoping_project_number") {
            data["scoping_project_number"] = .integer(number)
        }
        for key in Self.textFields {
            if let text = try incident.optionalString(key) { data[key] = .string(text) }
        }
        for key in Self.valueFields {
            if let text = try incident.optionalText(key) { data[key] = .string(text) }
        }
        if let type = try incident.optionalObject("resource")?.optionalString("type") {
            data["resource_type"] = .string(type)
        }
        if let type = try incident.optionalObject("metric")?.optionalString("type") {
            data["metric_type"] = .string(type)
        }

        return NormalizedEvent(
            tenantID: tenantID,
            tenantResolution: tenantResolution,
            eventID: incidentID + "/" + state,
            eventType: "incident." + state,
            format: .monitoring,
            eventTime: endedAt ?? startedAt.flatMap { $0 > 0 ? $0 : nil } ?? origin.timestamp ?? now,
            data: data,
            origin: origin
        )
    }

    /// The configured label from the first label map that has it.
    private func monitoringTenant(_ incident: FieldReader) throws(Rejection) -> (tenantID: String, resolution: String) {
        let label = settings.monitoringTenantLabel
        for path in Self.tenantLabelMaps {
            var labels: FieldReader? = incident
            for key in path { labels = try labels?.optionalObject(key) }
            if let labels, labels.node(label) != nil {
                return (try labels.tenantID(label), "monitoring.\(path.joined(separator: ".")).\(label)")
            }
        }
        let places = Self.tenantLabelMaps.map { "incident.\($0.joined(separator: "."))" }.joined(separator: ", ")
        throw Rejection(
            code: .tenantUnresolved,
            message: "monitoring incident has no \(JSONValue.string(label)) label in \(places)"
        )
    }
}
