import AutonomicsCore
import AutonomicsSamples
import AutonomicsTestSupport
import Foundation
import GCP
import Logging
import Testing

@testable import AutonomicsWorker
@testable import GCPFake

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Demo tenants in the GCP fake, and the scenarios of produce --scenario")
struct DemoScenarioTests {
    static let spec = Result { try SKUSpecLoader.load(file: exampleSpecPath) }

    @Test("seed puts every demo tenant's resources, account and entitlement at the names the spec binds")
    func seed() async throws {
        let spec = try Self.spec.get()
        let fake = try await GCPFake.start()
        defer { Task { await fake.stop() } }
        DemoCloud.seed(fake, spec: spec)

        for tenant in DemoCloud.tenants {
            let serviceName = try spec.bindings.target(.service, tenantID: tenant.id)
            let service = try #require(fake.resource(serviceName), "\(serviceName)")
            let latest = try #require(service["latestReadyRevision"]?.string)
            #expect(service["traffic"] == [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100]])
            let revisions = (1...2).map { "\(serviceName)/revisions/\(GCPFake.revisionName(service: String(serviceName.split(separator: "/").last ?? ""), index: $0))" }
            #expect(revisions.last == latest)
            for revision in revisions {
                #expect(fake.resource(revision)?["conditions"] == [["type": "Ready", "state": "CONDITION_SUCCEEDED"]], "\(revision)")
            }
            let jobName = try spec.bindings.target(.job, tenantID: tenant.id)
            #expect(fake.resource(jobName)?["state"] == "ENABLED", "\(jobName)")
            let subscriptionName = try spec.bindings.target(.subscription, tenantID: tenant.id)
            #expect(fake.resource(subscriptionName)?["pushConfig"]?["pushEndpoint"]?.string != nil, "\(subscriptionName)")
            let entitlement = try #require(fake.resource(tenant.entitlementName))
            #expect(entitlement["account"]?.string == tenant.accountName)
            #expect(entitlement["plan"]?.string == tenant.plan)
            #expect(entitlement["state"]?.string == tenant.entitlementState)
            #expect(fake.resource(tenant.accountName)?["state"] == "ACCOUNT_ACTIVE")
            #expect(spec.tier(forPlan: tenant.plan) != nil, "\(tenant.plan) has a tier")
        }
        // The overrides of the example spec, spelled out: explicit names for initech, a project and region for globex.
        #expect(fake.resource("projects/initech-prod/locations/us-east1/services/initech-analytics") != nil)
        #expect(fake.resource("projects/initech-prod/locations/us-east1/jobs/initech-nightly-export") != nil)
        #expect(fake.resource("projects/globex-dedicated/locations/europe-west1/services/tenant-globex") != nil)
        #expect(DemoCloud.resourceNames(spec: spec).allSatisfy { fake.resource($0) != nil })
        #expect(fake.resource(DemoTenants.umbrella.entitlementName)?["state"] == "ENTITLEMENT_ACTIVATION_REQUESTED")
    }

    @Test("every scenario's events pass the intake's normalizer; unknown names are nil")
    func normalizes() throws {
        let spec = try Self.spec.get()
        var settings = IntakeSettings()
        settings.knownMetrics.formUnion(spec.metrics.acceptedNames)
        let normalizer = Normalizer(settings: settings)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(Scenarios.scenario(named: "nope", now: now) == nil)
        for name in Scenarios.names {
            let scenario = try #require(Scenarios.scenario(named: name, now: now))
            #expect(!scenario.events.isEmpty)
            for (offset, event) in scenario.events.enumerated() {
                let origin = EventOrigin(topic: "autonomics.events", partition: 0, offset: Int64(offset))
                let normalized = try normalizer.normalize(Array(event.value.utf8), origin: origin, now: now).get()
                if let pending = normalized.pendingEntitlement {
                    #expect(pending.providerID == DemoTenants.providerID)
                    #expect(scenario.tenants.contains { $0.entitlementID == pending.id }, "\(name): \(pending.id)")
                } else {
                    #expect(normalized.tenantID == event.key, "\(name)")
                }
            }
        }
    }

    @Test("each scenario, decided by the tenants' machines against the seeded fake, takes its actions on its tenant's resources only",
        .timeLimit(.minutes(1)))
    func actions() async throws {
        let spec = try Self.spec.get()
        let target = { (resource: TenantResource, tenant: DemoTenant) in try spec.bindings.target(resource, tenantID: tenant.id) }
        let expected: [String: [String]] = [
            "throttle": ["throttle " + (try target(.service, DemoTenants.acme))],
            "rollback": ["rollback " + (try target(.service, DemoTenants.globex))],
            "freeze": ["freeze " + (try target(.service, DemoTenants.hooli))],
            "pause-job": ["rollback " + (try target(.service, DemoTenants.initech)), "pause-job " + (try target(.job, DemoTenants.initech))],
            "pause-push": ["pause-push " + (try target(.subscription, DemoTenants.acme))],
            "entitlement-lifecycle": [
                "rollback " + (try target(.service, DemoTenants.umbrella)), "pause-job " + (try target(.job, DemoTenants.umbrella)),
            ],
            "cross-tenant": ["throttle " + (try target(.service, DemoTenants.hooli))],
        ]
        for name in Scenarios.names {
            let fixture = try await ProcurementFixture()
            DemoCloud.seed(fixture.fake, spec: spec)
            let run = try await ScenarioRun(fixture: fixture, spec: spec)
            let scenario = try #require(Scenarios.scenario(named: name, now: Int64(Date().timeIntervalSince1970 * 1000)))
            let outcome = try await run.perform(scenario)
            await run.stop()
            await fixture.stop()
            #expect(outcome.actions == expected[name], "\(name)")
            #expect(fixture.fake.violations.isEmpty, "\(name): \(fixture.fake.violations)")
            if name == "throttle" {
                #expect(outcome.parameters.first == ["max_instances": 2], "the starter tier's throttled_max_instances")
            }
            if name == "entitlement-lifecycle" {
                let umbrella = DemoTenants.umbrella
                #expect(outcome.procurementCalls == [.approve, .approvePlanChange(pendingPlan: "growth-monthly")])
                #expect(outcome.refusals[umbrella.id] == 2, "both signals during the suspension refused")
                let entitlement = try #require(fixture.fake.resource(umbrella.entitlementName))
                #expect(entitlement["state"] == "ENTITLEMENT_ACTIVE")
                #expect(entitlement["plan"] == "growth-monthly")
            }
        }
    }
}

/// Tells a scenario to the tenants' machines as the worker would: the intake's normalizer, the entitlement GET
/// (through the GCP client, against the fake), the governor's decisions; the Procurement calls made against the
/// fake; actions recorded and answered with success at once; Marketplace changes made through the fake's control
/// endpoint. Pauses are skipped: every step here completes before the next begins.
private struct ScenarioRun {
    struct Outcome {
        /// `<action> <target>`, in order.
        var actions: [String] = []
        var parameters: [[String: JSONValue]] = []
        var procurementCalls: [ProcurementRequest.Call] = []
        /// Tenant → signals refused.
        var refusals: [String: Int] = [:]
    }

    let fixture: ProcurementFixture
    let spec: SKUSpec
    let clients: GCPClients
    let normalizer: Normalizer

    init(fixture: ProcurementFixture, spec: SKUSpec) async throws {
        self.fixture = fixture
        self.spec = spec
        var configuration = WorkerConfiguration()
        fixture.configure(&configuration)
        clients = GCPClients(
            configuration: GCPConfiguration(configuration.gcp),
            credentials: try GCPCredentials.discover(environment: fixture.environment), logger: Logger(label: "test"))
        var settings = IntakeSettings()
        settings.knownMetrics.formUnion(spec.metrics.acceptedNames)
        normalizer = Normalizer(settings: settings)
    }

    func stop() async { await clients.shutdown() }

    func perform(_ scenario: Scenario) async throws -> Outcome {
        var outcome = Outcome()
        var tenants: [String: Tenant] = [:]
        var offset: Int64 = 0
        for step in scenario.steps {
            switch step {
            case .pause:
                continue
            case .marketplaceChange(let entitlement, let members):
                try await patch(entitlement, members)
            case .send(let events):
                for event in events {
                    offset += 1
                    let origin = EventOrigin(topic: "autonomics.events", partition: 0, offset: offset)
                    var normalized = try normalizer.normalize(Array(event.value.utf8), origin: origin, now: Self.now()).get()
                    if let pending = normalized.pendingEntitlement {
                        let name = "providers/\(pending.providerID ?? "")/entitlements/\(pending.id)"
                        let got = try await clients.procurement.getEntitlement(name)
                        normalized = try normalized.resolved(by: EntitlementLookup(
                            name: name, accountID: try #require(got.accountID), state: got.state, plan: got.plan,
                            newPendingPlan: got.newPendingPlan))
                    }
                    let parsed = try ParsedTenantEvent(decoding: normalized.encoded())
                    let input = try #require(TenantInput(parsed))
                    var tenant = tenants[parsed.tenantID] ?? Tenant(id: parsed.tenantID)
                    var effects = tenant.handle(input, spec: spec)
                    // Action results lead to the fired rule's next action: answer until none is left.
                    while !effects.isEmpty {
                        var next: [TenantEffect] = []
                        for effect in effects {
                            switch effect {
                            case .receipt(let draft) where draft.kind == .refusal:
                                outcome.refusals[tenant.id, default: 0] += 1
                            case .receipt:
                                break
                            case .action(let request):
                                outcome.actions.append("\(request.action) \(request.target)")
                                outcome.parameters.append(request.parameters)
                                let result = ActionResult(
                                    requestID: request.id, outcome: .succeeded, httpStatus: 200, time: input.time)
                                next += tenant.handle(.actionResult(result), spec: spec)
                            case .procurement(let request):
                                outcome.procurementCalls.append(request.call)
                                try await call(request, of: try #require(normalized.data["procurement_entitlement"]?.stringValue))
                            }
                        }
                        effects = next
                    }
                    tenants[tenant.id] = tenant
                }
            }
        }
        return outcome
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private func call(_ request: ProcurementRequest, of entitlement: String) async throws {
        switch request.call {
        case .approve: try await clients.procurement.approveEntitlement(entitlement)
        case .approvePlanChange(let plan): try await clients.procurement.approvePlanChange(entitlement, pendingPlanName: plan)
        case .reject, .rejectPlanChange: Issue.record("the example spec rejects none of the demo plans")
        }
    }

    private func patch(_ name: String, _ members: [String: JSONValue]) async throws {
        let url = try #require(URL(string: fixture.fake.endpoint(.control) + name))
        var request = URLRequest(url: url)
        request.httpMethod = "PATCH"
        request.httpBody = Data(CanonicalJSON.encode(.object(members)))
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }
}
