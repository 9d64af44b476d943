import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import GCPFake
import Kafka
import Testing

@testable import AutonomicsWorker

/// The whole loop on the real path: mock Kafka cluster, the worker with the example spec, libcurl and the GCP fake
/// over loopback HTTP, which judges every request against Google's discovery documents.
@Suite("Governors acting on Google Cloud")
struct GovernorActionTests {
    /// The example spec's names for tenant `acme` (starter tier when on `starter-monthly`).
    static let acmeService = "projects/acme-analytics-tenants/locations/us-central1/services/tenant-acme"
    static let globexService = "projects/globex-dedicated/locations/europe-west1/services/tenant-globex"

    private func signal(_ tenant: String, _ metric: String, _ value: Int, second: Int) -> [UInt8] {
        // Signals of one tenant and metric within 5 s of each other are one event (their id is bucketed by time).
        let timestamp = WallClock.milliseconds() / 1000 - 600 + Int64(second) * 10
        return Array(#"{"tenant_id":"\#(tenant)","metric":"\#(metric)","value":\#(value),"timestamp":\#(timestamp)}"#.utf8)
    }

    private func receipts(_ cluster: TestCluster) async throws -> [JSONValue] {
        try await cluster.records(of: cluster.topics.receipts).map { try JSONValue.parse($0.value ?? []) }
    }

    @Test("an active starter tenant's sustained high CPU throttles its own service; a suspended one is refused", .timeLimit(.minutes(3)))
    func throttleAndRefuse() async throws {
        let cluster = try TestCluster(partitions: 2)
        let cloud = try await ProcurementFixture()
        cloud.fake.addService(Self.acmeService, maxInstanceCount: 10)
        cloud.fake.addService(Self.globexService, maxInstanceCount: 500)
        cloud.fake.addEntitlement(cloud.name("ent-acme"), account: "acme", state: "ENTITLEMENT_ACTIVE", plan: "starter-monthly")
        cloud.fake.addEntitlement(cloud.name("ent-globex"), account: "globex", state: "ENTITLEMENT_SUSPENDED", plan: "enterprise-annual")
        var configuration = cluster.configuration()
        cloud.configure(&configuration)
        configuration.gcp.runEndpoint = cloud.fake.endpoint(.run)
        configuration.governor.maxConcurrentActions = 2
        let worker = try await RunningWorker(configuration, environment: cloud.environment)

        try await cluster.produce([
            entitlementEvent("e-acme", entitlement: "ent-acme"), entitlementEvent("e-globex", type: "ENTITLEMENT_SUSPENDED", entitlement: "ent-globex"),
        ])
        try await eventually("both entitlements taken in") {
            try await receipts(cluster).filter { $0["kind"] == "entitlement" }.count >= 2
        }
        // Three consecutive highs above 85 fire `cpu-saturated`: a starter tenant is throttled to its tier's
        // throttled_max_instances (2). The same for globex, whose entitlement is suspended, must change nothing.
        try await cluster.produce((0..<3).map { signal("acme", "cpu", 95, second: $0) } + (0..<3).map { signal("globex", "cpu", 95, second: $0) })

        try await eventually("acme's service throttled") {
            cloud.fake.resource(Self.acmeService)?["scaling"]?["maxInstanceCount"] == .number(2)
        }
        try await eventually("the action's result receipted") {
            try await receipts(cluster).contains { $0["kind"] == "action_result" && $0["tenant_id"] == "acme" }
        }
        let port = try await worker.operationsPort()
        let view = try await httpGet(port: port, path: "/tenants/acme")
        #expect(view.status == 200)
        #expect(view.body.contains(#""entitlement":{"#) && view.body.contains(#""last_receipt":{"#))
        #expect(try await httpGet(port: port, path: "/tenants/nobody").status == 404)
        try await worker.stop()

        let all = try await receipts(cluster)
        let acme = all.filter { $0["tenant_id"] == "acme" }
        let attempt = try #require(acme.first { $0["kind"] == "action_attempt" })
        #expect(attempt["action"]?["target"]?.stringValue == Self.acmeService)
        let result = try #require(acme.first { $0["kind"] == "action_result" })
        #expect(result["pre_action_value"]?["max_instance_count"] == 10, "the value to revert to")
        #expect(all.allSatisfy { $0["spec_hash"] != nil })
        let globex = all.filter { $0["tenant_id"] == "globex" }
        #expect(globex.contains { $0["kind"] == "refusal" })
        #expect(!globex.contains { $0["kind"] == "action_attempt" }, "no action for a tenant that is not active")
        #expect(cloud.fake.resource(Self.globexService)?["scaling"]?["maxInstanceCount"] == .number(500))
        #expect(!cloud.fake.requests.contains { $0.path.contains("tenant-globex") })
        #expect(cloud.fake.violations.isEmpty, "\(cloud.fake.violations)")
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")
        await cloud.stop()
    }
}
