import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import Kafka
import Testing

@testable import AutonomicsWorker


@Suite("Rebalancing and shutdown")
struct RebalanceTests {
    @Test("two workers in one group hand partitions over without losing or repeating an event", .timeLimit(.minutes(4)))
    func rebalanceLosesNothing() async throws {
        let cluster = try TestCluster(partitions: 4)
        var configuration = cluster.configuration()
        configuration.worker.shards = 3   // shards on threads of their own, whatever the machine
        let first = try await RunningWorker(configuration)
        try await cluster.produce(signals(0..<300, tenants: 40))
        try await eventually("the first worker's receipts") { try await cluster.eventReceipts().count >= 100 }

        let second = try await RunningWorker(configuration)
        try await cluster.produce(signals(300..<600, tenants: 40))
        await eventually("both workers own partitions") {
            second.worker.readiness.status.isReady
        }
        try await first.stop()
        try await cluster.produce(signals(600..<900, tenants: 40))

        try await eventually("a receipt for every event") { try await cluster.eventReceipts().count >= 900 }
        try await second.stop()

        let receipts = try await cluster.eventReceipts()
        let eventIDs = try receipts.map { try #require(JSONValue.parse($0.value ?? [])["event_id"]?.stringValue) }
        #expect(receipts.count == 900, "no event receipted twice")
        #expect(Set(eventIDs).count == 900, "no event lost")
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "chains continue across owners: \(report.summary)")
    }

    @Test("SIGTERM drains and commits: a restarted worker finishes the rest exactly once", .timeLimit(.minutes(3)))
    func sigtermDrains() async throws {
        let cluster = try TestCluster(partitions: 4)
        let configuration = cluster.configuration()
        try await cluster.produce(signals(0..<8000, tenants: 500))

        let process = try cluster.workerProcess(
            configuration: configuration, environment: ["AUTONOMICS_LOG_LEVEL": "warning", "AUTONOMICS_WORKER_MAX_BATCH": "50"])
        try process.run()
        try await eventually("the first receipts") { try await cluster.eventReceipts().count > 0 }
        process.terminate()   // SIGTERM
        let exited = await eventually(timeout: .seconds(20), "exit within the shutdown deadline") { !process.isRunning }
        try #require(exited)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)

        let worker = try await RunningWorker(configuration)
        try await eventually("a receipt for every event") { try await cluster.eventReceipts().count >= 8000 }
        try await worker.stop()
        let receipts = try await cluster.eventReceipts()
        #expect(receipts.count == 8000, "nothing receipted twice across the restart")
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")
    }
}
