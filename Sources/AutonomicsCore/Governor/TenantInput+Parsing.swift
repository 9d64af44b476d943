/// Inputs built from what the worker reads: a Procurement `Entitlement` and an `autonomics.control` record.
extension EntitlementSnapshot {
    /// The snapshot of a Procurement `GET providers/{p}/entitlements/{e}` response body. (A deleted entitlement is
    /// not found; the worker builds that snapshot itself, with state `.deleted`.)
    /// - Parameters:
    ///   - eventID: The Marketplace event that led to the read, if any.
    ///   - time: When the event happened (or the read was made), in milliseconds since the epoch.
    /// - Throws: a ``Rejection`` naming the field when the body has no `name` of the form
    ///   `providers/{p}/entitlements/{id}` or a `state` this worker does not know.
    public init(procurementEntitlement bytes: [UInt8], eventID: String? = nil, time: Int64) throws(Rejection) {
        let fields = FieldReader(try JSONDocument(parsingObject: bytes, what: "the entitlement"), source: "entitlement")
        let name = try fields.requiredString("name")
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 4, segments[0] == "providers", segments[2] == "entitlements", !segments[3].isEmpty
        else {
            throw fields.invalid("name", expected: "providers/{provider}/entitlements/{id}", found: .string(name))
        }
        let stateName = try fields.requiredString("state")
        guard let state = Tenant.EntitlementMachine.State(procurementState: stateName) else {
            throw fields.invalid("state", expected: "a known Entitlement.state", found: .string(stateName))
        }
        self.init(
            entitlementID: name, state: state, plan: try fields.optionalString("plan"),
            newPendingPlan: try fields.optionalString("newPendingPlan"),
            updateTime: try fields.optionalString("updateTime").flatMap(RFC3339.parse), eventID: eventID, time: time)
    }
}

extension OperatorCommand {
    /// The command of an `autonomics.control` record: `{"command": "reset", "command_id": "…", "issued_by": "…"}`.
    /// The record's key names the tenant; the payload cannot, so a command reaches only the tenant its key names,
    /// and only through that topic's ACLs.
    /// - Parameter time: the record's timestamp, in milliseconds since the epoch.
    /// - Throws: a ``Rejection`` naming the field for an unknown command or a payload that names a tenant.
    public init(controlRecord bytes: [UInt8], time: Int64) throws(Rejection) {
        let fields = FieldReader(try JSONDocument(parsingObject: bytes, what: "the control record"), source: "control")
        if let tenant = fields["tenant_id"] {
            throw fields.invalid(
                "tenant_id", expected: "no tenant in the payload (the record key names it)", found: tenant)
        }
        let name = try fields.requiredString("command")
        guard let kind = Kind(rawValue: name) else {
            let known = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw fields.invalid("command", expected: "one of \(known)", found: .string(name))
        }
        self.init(
            commandID: try fields.requiredString("command_id"), kind: kind,
            issuedBy: try fields.optionalString("issued_by"), time: time)
    }
}
