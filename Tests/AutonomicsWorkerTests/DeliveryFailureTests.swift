import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import Kafka
import Testing

@testable import AutonomicsWorker


@Suite("Delivery failures")
struct DeliveryFailureTests {
    @Test(
        "a receipt that cannot be delivered never enters its tenant's chain: its event is dead-lettered, and replayed it continues the chain",
        .timeLimit(.minutes(3)))
    func undeliverableReceipts() async throws {
        let cluster = try TestCluster.withSeparateLeaders()
        let worker = try await RunningWorker(cluster.configuration())
        var sent: [(key: [UInt8]?, value: [UInt8]?)] = []
        for round in 0..<4 {
            let delivered = try cluster.tenantEvents(round * 10..<round * 10 + 9, tenants: 3)
            try await cluster.produce(keyed: delivered, topic: cluster.topics.tenantEvents)
            sent += delivered
            // Each event of these tenants (no entitlement yet) has two receipts: its own and the refusal.
            let receiptsSoFar = 2 * (sent.count - round)
            try await eventually("the round's receipts") {
                try await cluster.records(of: cluster.topics.receipts).count >= receiptsSoFar
            }
            // One permanent error on the next Produce request for receipts: the next tenant event's own receipt.
            try cluster.cluster.pushRequestErrors(broker: 2, apiKey: KafkaAPI.produce, errors: [.messageSizeTooLarge])
            let failing = try cluster.tenantEvents(round * 10 + 9..<round * 10 + 10, tenants: 3)
            try await cluster.produce(keyed: failing, topic: cluster.topics.tenantEvents)
            sent += failing
            try await eventually("the failed receipt's event in the dead-letter topic") {
                try await cluster.records(of: cluster.topics.dlq).count >= round + 1
            }
        }

        let receipts = try await cluster.records(of: cluster.topics.receipts)
        let letters = try await cluster.records(of: cluster.topics.dlq)
        #expect(letters.count == 4)
        #expect(letters.allSatisfy { $0.header(DeadLetterHeader.errorCode) == "publish_failed" })
        #expect(letters.allSatisfy { $0.header(DeadLetterHeader.originTopic) == cluster.topics.tenantEvents })
        let sentIDs = try Set(sent.map { try #require(JSONValue.parse($0.value ?? [])["event_id"]?.stringValue) })
        let receiptedIDs = try Set(eventIDs(receipts))
        let deadLetteredIDs = try Set(eventIDs(letters))
        #expect(receiptedIDs.isDisjoint(with: deadLetteredIDs))
        #expect(receiptedIDs.union(deadLetteredIDs) == sentIDs, "every tenant event ends as a receipt or a dead letter")

        var verifier = ChainVerifier()
        for receipt in receipts {
            verifier.add(receipt.value ?? [], location: "\(receipt.offset)")
        }
        #expect(verifier.report().isValid, "no gap, no dangling link: \(verifier.report().summary)")

        // Replayed to the tenant-events topic as they were, the dead letters are no duplicates.
        try await cluster.produce(keyed: letters.map { ($0.key, $0.value) }, topic: cluster.topics.tenantEvents)
        try await eventually("receipts for the replayed events") {
            try await cluster.records(of: cluster.topics.receipts).count >= 2 * sent.count
        }
        try await worker.stop()
        let all = try await cluster.eventReceipts()
        #expect(try Set(eventIDs(all)) == sentIDs)
        #expect(all.count == sent.count)
        let report = try await cluster.verifyReceipts()
        #expect(report.isValid, "\(report.summary)")
    }

    @Test("a tenant event that cannot be delivered is dead-lettered as publish_failed with its origin", .timeLimit(.minutes(2)))
    func undeliverableTenantEvent() async throws {
        let cluster = try TestCluster.withSeparateLeaders()
        // Tenant events are written to broker 1: fail the intake's first Produce there.
        let worker = try await RunningWorker(cluster.configuration())
        await eventually("the worker ready") { worker.worker.readiness.status.isReady }
        try cluster.cluster.pushRequestErrors(broker: 1, apiKey: KafkaAPI.produce, errors: [.messageSizeTooLarge])
        let signal = signals(0..<1, tenants: 1)
        try await cluster.produce(signal)
        try await eventually("the dead letter") { try await !cluster.records(of: cluster.topics.dlq).isEmpty }
        try await worker.stop()
        let letters = try await cluster.records(of: cluster.topics.dlq)
        #expect(letters.count == 1)
        #expect(letters.first?.value == signal.first)
        #expect(letters.first?.header(DeadLetterHeader.errorCode) == "publish_failed")
        #expect(letters.first?.header(DeadLetterHeader.originTopic) == cluster.topics.events)
        #expect(try await cluster.records(of: cluster.topics.receipts).isEmpty)
    }
}
