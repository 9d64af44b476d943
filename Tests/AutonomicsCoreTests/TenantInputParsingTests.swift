import Testing

@testable import AutonomicsCore

@Suite("Inputs from a Procurement entitlement and from autonomics.control")
struct TenantInputParsingTests {
    @Test("a Procurement GET response becomes a snapshot")
    func entitlement() throws {
        let body = """
            {"name": "providers/acme-partner/entitlements/7f3c", "account": "providers/acme-partner/accounts/E-1",
             "plan": "pro-monthly", "newPendingPlan": "basic-monthly", "state": "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL",
             "updateTime": "2026-11-20T10:00:00Z"}
            """
        let snapshot = try EntitlementSnapshot(procurementEntitlement: Array(body.utf8), eventID: "ev-1", time: 5)
        #expect(
            snapshot
                == EntitlementSnapshot(
                    entitlementID: "providers/acme-partner/entitlements/7f3c", state: .pendingPlanChangeApproval, plan: "pro-monthly",
                    newPendingPlan: "basic-monthly", updateTime: RFC3339.parse("2026-11-20T10:00:00Z"), eventID: "ev-1", time: 5))
    }

    @Test(
        "a response without a usable name or state is refused, naming the field",
        arguments: [
            (#"{"name": "entitlements/7f3c", "state": "ENTITLEMENT_ACTIVE"}"#, "entitlement field \"name\""),
            (#"{"name": "providers/p/entitlements/", "state": "ENTITLEMENT_ACTIVE"}"#, "entitlement field \"name\""),
            (
                #"{"name": "providers/p/entitlements/e", "state": "ENTITLEMENT_STATE_UNSPECIFIED"}"#,
                "entitlement field \"state\""
            ),
            (#"{"name": "providers/p/entitlements/e"}"#, "entitlement field \"state\" is missing"),
            (#"[]"#, "the entitlement is an array"),
        ])
    func badEntitlement(body: String, message: String) {
        let error = #expect(throws: Rejection.self) {
            try EntitlementSnapshot(procurementEntitlement: Array(body.utf8), time: 0)
        }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

    @Test("a control record is a command for the tenant its key names")
    func control() throws {
        let record = #"{"command": "reset", "command_id": "c-9", "issued_by": "oncall@example.com"}"#
        let command = try OperatorCommand(controlRecord: Array(record.utf8), time: 7)
        #expect(command == OperatorCommand(commandID: "c-9", kind: .reset, issuedBy: "oncall@example.com", time: 7))
    }

    @Test(
        "a control record naming a tenant, or an unknown command, is refused",
        arguments: [
            (#"{"command": "reset", "command_id": "c", "tenant_id": "globex"}"#, "control field \"tenant_id\""),
            (#"{"command": "promote", "command_id": "c"}"#, "control field \"command\": expected one of reset"),
            (#"{"command": "reset"}"#, "control field \"command_id\" is missing"),
        ])
    func badControl(record: String, message: String) {
        let error = #expect(throws: Rejection.self) { try OperatorCommand(controlRecord: Array(record.utf8), time: 0) }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }
}
