import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("Normalizer: Cloud Monitoring incidents")
struct MonitoringNormalizationTests {
    @Test("normalizes Google's 1.2 example (closed) with a tenant label")
    func closed() throws {
        let event = try Fixtures.normalize(SampleEvents.monitoringClosed).get()
        #expect(
            event
                == NormalizedEvent(
                    tenantID: SampleEvents.tenantID,
                    tenantResolution: "monitoring.policy_user_labels.tenant_id",
                    eventID: "0.opqiw61fsv7p/closed",
                    eventType: "incident.closed",
                    format: .monitoring,
                    eventTime: 1_577_877_071_000,
                    data: [
                        "version": "1.2",
                        "incident_id": "0.opqiw61fsv7p",
                        "state": "closed",
                        "started_at": 1_577_840_461,
                        "ended_at": 1_577_877_071,
                        "scoping_project_id": "internal-project",
                        "scoping_project_number": 12345,
                        "policy_name": "Monitor-Project-Cluster",
                        "condition_name": "VM Instance - CPU utilization [MAX]",
                        "severity": "no severity",
                        "resource_name": "internal-project gke-cluster-1-default-pool-e2df4cbd-dgp3",
                        "resource_type": "gce_instance",
                        "metric_type": "compute.googleapis.com/instance/cpu/utilization",
                        "observed_value": "0.835",
                        "threshold_value": "0.9",
                    ],
                    origin: Fixtures.origin
                )
        )
    }

    @Test("an open incident dates from started_at; open and closed have different event ids")
    func open() throws {
        let event = try Fixtures.normalize(SampleEvents.monitoringOpen).get()
        #expect(event.eventID == "0.opqiw61fsv7p/open")
        #expect(event.eventType == "incident.open")
        #expect(event.eventTime == 1_577_840_461_000)
        #expect(event.data["ended_at"] == nil)
    }

    @Test("the console's test payload: version test, state OPEN, documentation a string")
    func consoleTest() throws {
        let event = try Fixtures.normalize(SampleEvents.monitoringConsoleTest).get()
        #expect(event.eventID == "12345/open")
        #expect(event.eventType == "incident.open")
        #expect(event.data["version"] == "test")
        #expect(event.data["ended_at"] == nil)  // 0 while open
        #expect(event.eventTime == 1_795_169_730_000)
    }

    static let tenantPlacements: [(members: String, tenantID: String, resolution: String)] = [
        (
            #", "policy_user_labels": {"tenant_id": "p"}, "metadata": {"user_labels": {"tenant_id": "m"}}, "resource": {"labels": {"tenant_id": "r"}}"#,
            "p", "monitoring.policy_user_labels.tenant_id"
        ),
        (
            #", "policy_user_labels": {"team": "x"}, "metadata": {"user_labels": {"tenant_id": "m"}}, "resource": {"labels": {"tenant_id": "r"}}"#,
            "m", "monitoring.metadata.user_labels.tenant_id"
        ),
        (
            #", "metadata": {"system_labels": {"tenant_id": "s"}}, "resource": {"type": "cloud_run_revision", "labels": {"tenant_id": "r"}}"#,
            "r", "monitoring.resource.labels.tenant_id"
        ),
        (
            #", "policy_user_labels": null, "resource": {"labels": {"tenant_id": "r"}}"#,
            "r", "monitoring.resource.labels.tenant_id"
        ),
    ]

    @Test(
        "the tenant label is looked up in policy_user_labels, then metadata.user_labels, then resource.labels",
        arguments: tenantPlacements
    )
    func tenantLookup(members: String, tenantID: String, resolution: String) throws {
        let event = try Fixtures.normalize(Fixtures.incident(members: members)).get()
        #expect(event.tenantID == tenantID)
        #expect(event.tenantResolution == resolution)
    }

    @Test("the tenant label name comes from the settings")
    func configuredLabel() throws {
        var settings = IntakeSettings()
        settings.monitoringTenantLabel = "customer"
        let json = Fixtures.incident(members: #", "policy_user_labels": {"tenant_id": "x", "customer": "c-9"}"#)
        let event = try Fixtures.normalize(json, settings: settings).get()
        #expect(event.tenantID == "c-9")
        #expect(event.tenantResolution == "monitoring.policy_user_labels.customer")
    }

    static let invalid: [(json: String, rejection: Rejection)] = [
        (
            Fixtures.incident(members: #", "policy_user_labels": {"team": "x"}"#),
            Rejection(
                code: .tenantUnresolved,
                message: #"monitoring incident has no "tenant_id" label in incident.policy_user_labels, "#
                    + "incident.metadata.user_labels, incident.resource.labels"
            )
        ),
        (
            Fixtures.incident(members: #", "policy_user_labels": {"tenant_id": 5}"#),
            Rejection(
                code: .invalidTenantID,
                message: #"monitoring field "incident.policy_user_labels.tenant_id": expected a tenant id of 1–256 "#
                    + "printable ASCII characters, found 5"
            )
        ),
        (
            Fixtures.incident(members: #", "metadata": {"user_labels": {"tenant_id": "a\tb"}}"#),
            Rejection(
                code: .invalidTenantID,
                message: #"monitoring field "incident.metadata.user_labels.tenant_id": expected a tenant id of 1–256 "#
                    + #"printable ASCII characters, found "a\tb""#
            )
        ),
        (
            Fixtures.incident(members: #", "policy_user_labels": ["tenant_id"]"#),
            Rejection(
                code: .invalidField,
                message: #"monitoring field "incident.policy_user_labels": expected an object, found an array"#
            )
        ),
        (
            Fixtures.incident(version: #""1.1""#),
            Rejection(
                code: .invalidField,
                message: #"monitoring field "version": expected "1.2" or "test", found "1.1""#
            )
        ),
        (
            #"{"incident": {"incident_id": "0.a", "state": "open", "policy_user_labels": {"tenant_id": "t"}}}"#,
            Rejection(code: .missingField, message: #"monitoring field "version" is missing"#)
        ),
        (
            #"{"version": "1.2", "incident": {"state": "open", "policy_user_labels": {"tenant_id": "t"}}}"#,
            Rejection(code: .missingField, message: #"monitoring field "incident.incident_id" is missing"#)
        ),
        (
            #"{"version": "1.2", "incident": {"incident_id": "0.a", "policy_user_labels": {"tenant_id": "t"}}}"#,
            Rejection(code: .missingField, message: #"monitoring field "incident.state" is missing"#)
        ),
        (
            #"{"version": "1.2", "incident": "0.a"}"#,
            Rejection(code: .invalidField, message: #"monitoring field "incident": expected an object, found "0.a""#)
        ),
        (
            Fixtures.incident(
                members: #", "policy_user_labels": {"tenant_id": "t"}, "scoping_project_number": "12345""#
            ),
            Rejection(
                code: .invalidField,
                message: #"monitoring field "incident.scoping_project_number": expected an integer, found "12345""#
            )
        ),
        (
            Fixtures.incident(members: #", "policy_user_labels": {"tenant_id": "t"}, "ended_at": "soon""#),
            Rejection(
                code: .invalidTimestamp,
                message: #"monitoring field "incident.ended_at": expected integer epoch seconds, found "soon""#
            )
        ),
        (
            Fixtures.incident(members: #", "policy_user_labels": {"tenant_id": "t"}, "ended_at": 1.5"#),
            Rejection(
                code: .invalidTimestamp,
                message: #"monitoring field "incident.ended_at": expected integer epoch seconds, found 1.5"#
            )
        ),
    ]

    @Test("rejects malformed incidents, naming the field", arguments: invalid)
    func rejects(json: String, rejection: Rejection) {
        #expect(Fixtures.normalize(json).rejection == rejection)
    }

    @Test("a number where a value string is expected is kept as its text")
    func numericObservedValue() throws {
        let json = Fixtures.incident(members: #", "policy_user_labels": {"tenant_id": "t"}, "observed_value": 0.835"#)
        #expect(try Fixtures.normalize(json).get().data["observed_value"] == "0.835")
    }

    @Test("state is matched case-insensitively", arguments: ["open", "OPEN", "Open"])
    func stateCase(state: String) throws {
        let event = try Fixtures.normalize(Fixtures.incident(state: state)).get()
        #expect(event.eventID == "0.abc/open")
        #expect(event.data["state"] == "open")
    }
}
