import Testing

@testable import AutonomicsCore

@Suite("Decision receipts: chained after the event, each with spec_hash, states, rule and action")
struct DecisionReceiptTests {
    typealias F = PolicyFixtures

    @Test("a signal's event receipt and its decision's receipts form one chain, committed in order")
    func chainedAfterEvent() throws {
        var ledger = ReceiptLedger(specHash: F.spec.specHash)
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active), F.signal("cpu", "95")])

        let event = Receipts.event(id: "e-1")
        let signal = try #require(TenantSignal(event))
        #expect(signal.metric == "cpu_utilization" && signal.value == "87.5")
        let eventStep = try #require(try ledger.step(tenantEvent: event.encoded(), now: event.eventTime))
        let decision = tenant.decide(.signal(signal), spec: F.spec)
        let steps = ledger.steps(appending: decision.receipts, tenantID: "acme", now: signal.time, after: eventStep)
        #expect(steps.map(\.receipt.seq) == [2, 3])
        #expect(ledger.head(of: "acme") == nil, "nothing is committed by deciding")

        var verifier = ChainVerifier()
        for (index, step) in ([eventStep] + steps).enumerated() {
            let committed = ledger.commit(step)
            #expect(committed)
            verifier.add(step.receipt.bytes, location: "\(index)")
        }
        #expect(verifier.report().isValid)

        let attempt = try JSONValue.parse(steps[1].receipt.bytes)
        #expect(attempt["kind"] == "action_attempt")
        #expect(attempt["spec_hash"] == .string(F.spec.specHash))
        #expect(attempt["state_before"] == "warning")
        #expect(attempt["state_after"] == "intervening")
        #expect(attempt["rule"] == "cpu-high")
        #expect(attempt["action"]?["target"] == "projects/tenants/locations/us-central1/services/tenant-acme")
        #expect(attempt["action"]?["parameters"] == ["max_instances": 5])
        #expect(attempt["event_id"] == "e-1")
    }

    @Test("without a previous step, decision receipts link to the committed head")
    func chainedAfterHead() throws {
        var ledger = ReceiptLedger(specHash: F.spec.specHash)
        let decision = Tenant(id: "acme").decide(
            F.entitlement(.activationRequested, plan: "basic-monthly"), spec: F.spec)
        let steps = ledger.steps(appending: decision.receipts, tenantID: "acme", now: F.start)
        #expect(steps.map(\.receipt.seq) == [1, 2])
        for step in steps {
            let committed = ledger.commit(step)
            #expect(committed)
        }
        let entitlement = try JSONValue.parse(steps[0].receipt.bytes)
        #expect(entitlement["kind"] == "entitlement")
        #expect(entitlement["procurement"] == ["call": "approve", "entitlement_id": "ent-1"])
        #expect(entitlement["tier"] == "basic")
        let refusal = try JSONValue.parse(steps[1].receipt.bytes)
        #expect(refusal["kind"] == "transition")
        #expect(refusal["state_after"] == "refusing")
        #expect(refusal["reason"] == "entitlement is activation_requested, not active")
    }

    @Test("an action result receipt carries the HTTP status, the Google status and the pre-action value")
    func actionResult() throws {
        var tenant = Tenant(id: "acme")
        F.feed(&tenant, [F.entitlement(.active), F.signal("cpu", "95"), F.signal("cpu", "95")])
        let result = try #require(tenant.decide(F.result("acme/1", .failed), spec: F.spec).receipts.first)
        #expect(result.kind == .actionResult)
        #expect(result.fields["outcome"] == "failed")
        #expect(result.fields["http_status"] == 403)
        #expect(result.fields["google_status"] == "PERMISSION_DENIED")
        #expect(result.fields["pre_action_value"] == ["max_instances": 100])
        #expect(result.fields["state_after"] == "degraded")
    }

    @Test("a Monitoring incident that is open, with a metric type and value, is a signal; others are not")
    func incidentSignal() throws {
        let open = NormalizedEvent(
            tenantID: "acme", tenantResolution: "monitoring.policy_user_labels.tenant_id", eventID: "0.abc/open",
            eventType: "incident.open", format: .monitoring, eventTime: F.start,
            data: [
                "state": "open", "metric_type": "run.googleapis.com/container/cpu/utilizations",
                "observed_value": "91.5",
            ],
            origin: EventOrigin(topic: "autonomics.tenant-events", partition: 0, offset: 1))
        let signal = try #require(TenantSignal(open))
        #expect(signal.metric == "run.googleapis.com/container/cpu/utilizations")
        #expect(signal.value == "91.5")
        var closed = open
        closed.data["state"] = "closed"
        #expect(TenantSignal(closed) == nil)
        var noValue = open
        noValue.data["observed_value"] = "n/a"
        #expect(TenantSignal(noValue) == nil)
    }
}
