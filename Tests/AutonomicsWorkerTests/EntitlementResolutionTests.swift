import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import GCPFake
import Kafka
import Testing

@testable import AutonomicsWorker

/// The real path: mock Kafka cluster, the worker, libcurl and the GCP fake over loopback HTTP.
@Suite("Entitlement events resolved through the Procurement GET")
struct EntitlementResolutionTests {
    /// The tenant events of the cluster, decoded.
    private func tenantEvents(_ cluster: TestCluster) async throws -> [(key: String, event: NormalizedEvent)] {
        try await cluster.records(of: cluster.topics.tenantEvents).map { record in
            (String(decoding: record.key ?? [], as: UTF8.self), try NormalizedEvent(decoding: record.value ?? []))
        }
    }

    private func start(
        _ cluster: TestCluster, _ procurement: ProcurementFixture, shards: Int = 1, group: String? = nil,
        shutdownSeconds: Int = 10
    ) async throws -> RunningWorker {
        var configuration = group.map { cluster.configuration(group: $0) } ?? cluster.configuration()
        configuration.worker.shards = shards
        configuration.worker.shutdownDeadlineSeconds = shutdownSeconds
        procurement.configure(&configuration)
        return try await RunningWorker(configuration, environment: procurement.environment)
    }

    @Test("an entitlement event becomes its account's tenant event, carrying the state the GET read", arguments: [1, 2])
    func resolvesToTheAccount(shards: Int) async throws {
        let cluster = try TestCluster(partitions: 2)
        let procurement = try await ProcurementFixture()
        procurement.fake.addEntitlement(
            procurement.name("ent-a"), account: "acct-a", state: "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL", plan: "standard",
            newPendingPlan: "premium")
        let worker = try await start(cluster, procurement, shards: shards)
        try await cluster.produce([entitlementEvent("evt-1", type: "ENTITLEMENT_PLAN_CHANGE_REQUESTED", entitlement: "ent-a")])

        try await eventually("the tenant event") { try await !tenantEvents(cluster).isEmpty }
        let (key, event) = try #require(try await tenantEvents(cluster).first)
        #expect(key == "acct-a")
        #expect(event.tenantID == "acct-a")
        #expect(event.tenantResolution == NormalizedEvent.procurementAccountResolution)
        #expect(event.data["procurement_state"] == .string("ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL"))
        #expect(event.data["entitlement_id"] == .string("ent-a"), "the message's own members stay")
        let snapshot = try #require(EntitlementSnapshot(event))
        #expect(snapshot == EntitlementSnapshot(
            entitlementID: "providers/acme/entitlements/ent-a", state: .pendingPlanChangeApproval, plan: "standard", newPendingPlan: "premium",
            updateTime: RFC3339.parse("2026-01-01T00:00:00Z"),
            eventID: "evt-1", time: event.eventTime))
        try await eventually("its receipt") { try await cluster.eventReceipts().count == 1 }
        try await worker.stop()
        #expect(procurement.fake.violations.isEmpty, "\(procurement.fake.violations)")
        #expect(try await cluster.records(of: cluster.topics.dlq).isEmpty)
        await procurement.stop()
    }

    @Test("an entitlement the Procurement API does not know (404) is dead-lettered at once with its reason and origin")
    func unknownEntitlementIsDeadLettered() async throws {
        let cluster = try TestCluster(partitions: 1)
        let procurement = try await ProcurementFixture()
        let worker = try await start(cluster, procurement)
        let value = entitlementEvent("evt-404", entitlement: "ent-missing")
        try await cluster.produce([value], key: Array("bridge-key".utf8))

        try await eventually("the dead letter") { try await cluster.records(of: cluster.topics.dlq).count == 1 }
        let letter = try #require(try await cluster.records(of: cluster.topics.dlq).first)
        let original = try #require(try await cluster.records(of: cluster.topics.events).first)
        #expect(letter.key == Array("bridge-key".utf8))
        #expect(letter.value == value)
        #expect(letter.header(DeadLetterHeader.errorCode) == RejectionCode.entitlementUnresolvable.rawValue)
        #expect(letter.header(DeadLetterHeader.errorMessage)?.contains(procurement.name("ent-missing")) == true)
        #expect(letter.header(DeadLetterHeader.originTopic) == cluster.topics.events)
        #expect(letter.header(DeadLetterHeader.originOffset) == String(original.offset))
        #expect(procurement.gets(of: "ent-missing") == 1, "a 404 is not retried")
        #expect(try await cluster.records(of: cluster.topics.tenantEvents).isEmpty)
        try await worker.stop()
        await procurement.stop()
    }

    @Test("a 503 is retried by the client and the event then resolves")
    func unavailableThenResolved() async throws {
        let cluster = try TestCluster(partitions: 1)
        let procurement = try await ProcurementFixture()
        procurement.fake.addEntitlement(procurement.name("ent-b"), account: "acct-b", state: "ENTITLEMENT_ACTIVE")
        procurement.fake.inject(.unavailable, api: .procurement, pathContains: "ent-b", times: 2)
        let worker = try await start(cluster, procurement)
        try await cluster.produce([entitlementEvent("evt-b", entitlement: "ent-b")])

        try await eventually("the tenant event") { try await !tenantEvents(cluster).isEmpty }
        #expect(try await tenantEvents(cluster).map(\.key) == ["acct-b"])
        #expect(procurement.gets(of: "ent-b") == 3)
        #expect(try await cluster.records(of: cluster.topics.dlq).isEmpty)
        try await worker.stop()
        await procurement.stop()
    }

    @Test("every event reads the state afresh; the cached account still names the tenant once the entitlement is gone")
    func stateIsReReadAndAccountCached() async throws {
        let cluster = try TestCluster(partitions: 1)
        let procurement = try await ProcurementFixture()
        let name = procurement.name("ent-c")
        procurement.fake.addEntitlement(name, account: "acct-c", state: "ENTITLEMENT_ACTIVE")
        let worker = try await start(cluster, procurement)

        try await cluster.produce([entitlementEvent("evt-c1", entitlement: "ent-c")])
        try await eventually("the first tenant event") { try await tenantEvents(cluster).count == 1 }
        procurement.fake.addEntitlement(name, account: "acct-c", state: "ENTITLEMENT_PENDING_CANCELLATION")
        try await cluster.produce([entitlementEvent("evt-c2", type: "ENTITLEMENT_PENDING_CANCELLATION", entitlement: "ent-c")])
        try await eventually("the second tenant event") { try await tenantEvents(cluster).count == 2 }
        procurement.fake.remove(name)
        try await cluster.produce([entitlementEvent("evt-c3", type: "ENTITLEMENT_DELETED", entitlement: "ent-c")])
        try await eventually("the third tenant event") { try await tenantEvents(cluster).count == 3 }

        let events = try await tenantEvents(cluster)
        #expect(events.map(\.key) == ["acct-c", "acct-c", "acct-c"])
        #expect(events.compactMap { EntitlementSnapshot($0.event)?.state } == [.active, .pendingCancellation, .deleted])
        #expect(procurement.gets(of: "ent-c") == 3, "one GET per event: the state is never cached")
        #expect(!procurement.fake.requests.contains { $0.path.contains("/accounts/") }, "the account comes with the entitlement")
        #expect(try await cluster.records(of: cluster.topics.dlq).isEmpty)
        try await worker.stop()
        await procurement.stop()
    }

    @Test("a record whose lookup has not finished is not committed: the next worker reads it again")
    func offsetsWaitForTheLookup() async throws {
        let cluster = try TestCluster(partitions: 1)
        let procurement = try await ProcurementFixture()
        procurement.fake.addEntitlement(procurement.name("ent-d"), account: "acct-d", state: "ENTITLEMENT_ACTIVE")
        // Longer than the whole shutdown budget: the first worker stops with the lookup unanswered.
        procurement.fake.inject(.hang(.seconds(8)), api: .procurement, pathContains: "ent-d")
        let group = "test-\(UUID().uuidString.prefix(8))"
        let first = try await start(cluster, procurement, group: group, shutdownSeconds: 1)
        let signal = #"{"tenant_id":"t-after","metric":"cpu_utilization","value":10,"timestamp":"2026-01-01T00:00:00Z"}"#
        try await cluster.produce([entitlementEvent("evt-d", entitlement: "ent-d"), Array(signal.utf8)])
        try await eventually("the signal behind it published") { try await tenantEvents(cluster).map(\.key) == ["t-after"] }
        // The drain cannot finish the held record within the budget; the stop reports that.
        await #expect(throws: (any Error).self) { try await first.stop() }

        let second = try await start(cluster, procurement, group: group)
        try await eventually("the entitlement's tenant event") { try await tenantEvents(cluster).map(\.key).contains("acct-d") }
        // The signal too: the commit stopped before the held record, so everything from it is read again (a held
        // record does not hold up the records behind it, so the order on the tenant-events topic may differ).
        try await eventually("the signal again") { try await tenantEvents(cluster).count == 3 }
        #expect(try await tenantEvents(cluster).map(\.key).sorted() == ["acct-d", "t-after", "t-after"])
        try await second.stop()
        await procurement.stop()
    }
}
