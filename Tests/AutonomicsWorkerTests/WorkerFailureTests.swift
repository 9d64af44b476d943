import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import Kafka
import Testing

@testable import AutonomicsWorker

@Suite("Worker failures")
struct WorkerFailureTests {
    @Test(
        "a dead letter that cannot be delivered stops the worker with a clear error and a non-zero exit; a restart loses nothing",
        .timeLimit(.minutes(3)))
    func undeliverableDeadLetterStopsWorker() async throws {
        let cluster = try TestCluster.withSeparateLeaders()
        let configuration = cluster.configuration()
        let events = try cluster.tenantEvents(0..<5, tenants: 2)
        try await cluster.produce(keyed: events, topic: cluster.topics.tenantEvents)
        // The receipts fail, then so does the first dead letter.
        try cluster.cluster.pushRequestErrors(broker: 2, apiKey: KafkaAPI.produce, errors: [.messageSizeTooLarge])
        try cluster.cluster.pushRequestErrors(broker: 3, apiKey: KafkaAPI.produce, errors: [.messageSizeTooLarge])

        let process = try cluster.workerProcess(
            configuration: configuration,
            environment: ["AUTONOMICS_WORKER_SHUTDOWN_DEADLINE_SECONDS": "5", "AUTONOMICS_LOG_LEVEL": "error"])
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let exited = await eventually(timeout: .seconds(60), "the worker to exit on its own") { !process.isRunning }
        try #require(exited)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit, "an exit, not a crash: \(log)")
        #expect(process.terminationStatus == 1)
        #expect(log.contains("worker stopped on an error"))
        #expect(log.contains("could not be delivered"))
        #expect(!log.contains("Fatal error"))

        // Nothing was committed past the failure: a new worker takes the events up again.
        let worker = try await RunningWorker(configuration)
        let sentIDs = try Set(events.map { try #require(JSONValue.parse($0.value ?? [])["event_id"]?.stringValue) })
        try await eventually("every event receipted or dead-lettered") {
            let ended = try await Set(eventIDs(cluster.eventReceipts()))
                .union(eventIDs(cluster.records(of: cluster.topics.dlq)))
            return ended == sentIDs
        }
        try await worker.stop()
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")
    }

    @Test("/ready answers 503 naming the broker while it is unreachable, and 200 once it is back", .timeLimit(.minutes(2)))
    func readinessFollowsTheBroker() async throws {
        let cluster = try TestCluster(partitions: 2)
        var configuration = cluster.configuration()
        configuration.worker.brokerUnreachableSeconds = 1
        let worker = try await RunningWorker(configuration)
        let port = try await worker.operationsPort()
        try await eventually("ready") { try await httpGet(port: port, path: "/ready").status == 200 }

        for broker in Int32(1)...3 { try cluster.cluster.setBrokerDown(broker) }
        try await eventually("not ready, naming the broker") {
            let ready = try await httpGet(port: port, path: "/ready")
            return ready.status == 503 && ready.body.contains(BrokerWatch.condition)
        }
        for broker in Int32(1)...3 { try cluster.cluster.setBrokerUp(broker) }
        try await eventually("ready again") { try await httpGet(port: port, path: "/ready").status == 200 }
        try await worker.stop()
    }

    @Test("a lost assignment commits nothing and loses nothing: every event is receipted once", .timeLimit(.minutes(3)))
    func lostAssignment() async throws {
        let cluster = try TestCluster(partitions: 2)
        let worker = try await RunningWorker(cluster.configuration())
        try await cluster.produce(signals(0..<300, tenants: 30))
        try await eventually("the first receipts") { try await cluster.eventReceipts().count >= 100 }
        // The coordinator forgets the next member that heartbeats: its assignment is lost, and it rejoins.
        cluster.cluster.pushRequestErrors(apiKey: KafkaAPI.heartbeat, errors: [.unknownMemberID])
        try await eventually("an assignment lost") {
            let metrics = try await httpGet(port: try await worker.operationsPort(), path: "/metrics").body
            return metrics.split(separator: "\n").contains { $0.hasPrefix("autonomics_rebalances_total{") && $0.contains(#"kind="lost""#) && !$0.hasSuffix(" 0") }
        }
        try await cluster.produce(signals(300..<600, tenants: 30))
        try await eventually("a receipt for every event") { try await cluster.eventReceipts().count >= 600 }
        try await worker.stop()
        let receipts = try await cluster.eventReceipts()
        #expect(receipts.count == 600, "redelivered events are duplicates, not new receipts")
        #expect(try Set(eventIDs(receipts)).count == 600)
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")
    }
}
