import AutonomicsCore
import DequeModule
import Kafka
import Logging

/// The governor stage's handler for one shard: decides each tenant event against its tenant's state and delivers
/// the receipt, hash-chained per tenant, skipping duplicates.
///
/// A tenant's state advances only with what is delivered: its step is committed to the ledger when the receipt's
/// delivery report arrives, and until then the tenant's later events wait here, in order (other tenants go on).
/// A receipt that cannot be delivered leaves the tenant as it was and dead-letters its event as `publish_failed`,
/// so no receipt ever links to one nobody can read, and a replay of that event is not taken for a duplicate.
///
/// Receipts of a tenant-events partition go to the same partition of the receipts topic (both are keyed by tenant
/// and have the same partition count), so the owner of a partition restores its tenants from that one partition.
final class GovernorHandler: ShardHandler {
    typealias Pending = TenantStep

    private struct PartitionState {
        var ledger: ReceiptLedger
        /// Tenants with a receipt in flight, and their events waiting for it in consumption order.
        var waiting: [String: Deque<WaitingEvent>] = [:]
    }

    /// A record held back with its event, parsed once.
    private struct WaitingEvent {
        var record: KafkaMessage
        var event: ParsedTenantEvent
    }

    private let receiptsTopic: String
    private let makeLedger: () -> ReceiptLedger
    private let metrics: WorkerMetrics
    private let now: () -> Int64
    private var partitions: [Int32: PartitionState] = [:]
    private var written = 0
    private var duplicates = 0

    init(receiptsTopic: String, makeLedger: @escaping () -> ReceiptLedger, metrics: WorkerMetrics, now: @escaping () -> Int64) {
        self.receiptsTopic = receiptsTopic
        self.makeLedger = makeLedger
        self.metrics = metrics
        self.now = now
    }

    /// Takes over the restored ledger of a newly assigned partition (this shard's tenants of it).
    func adopt(_ ledger: ReceiptLedger, partition: Int32) {
        partitions[partition] = PartitionState(ledger: ledger)
    }

    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<GovernorHandler>) -> RecordOutcome {
        let event: ParsedTenantEvent
        do throws(Rejection) {
            event = try ParsedTenantEvent(decoding: record.value ?? [])
            // Shards and restored chains follow the key; a record keyed otherwise would start a second chain.
            guard record.key.map({ $0.elementsEqual(event.tenantID.utf8) }) == true else {
                throw Rejection(code: .invalidTenantEvent, message: "record key is not the tenant_id \(event.tenantID)")
            }
        } catch {
            return outbox.deadLetter(record, error)
        }
        return decide(record, event, now: now, outbox: outbox)
    }

    /// Puts the event's receipt in flight, unless its tenant already has one: then it waits its turn.
    private func decide(
        _ record: KafkaMessage, _ event: ParsedTenantEvent, now: Int64, outbox: ShardOutbox<GovernorHandler>
    ) -> RecordOutcome {
        let tenant = event.tenantID
        return modifyPartition(record.partition) { state in
            if state.waiting[tenant] != nil {
                state.waiting[tenant]!.append(WaitingEvent(record: record, event: event))
                return .deferred
            }
            guard let step = state.ledger.step(event, now: now) else {
                duplicates += 1
                return .finished
            }
            let receipt = StageOutput(topic: receiptsTopic, partition: record.partition, key: Array(tenant.utf8), value: step.receipt.bytes)
            do {
                try outbox.publish(receipt, for: record, pending: step)
            } catch {
                return outbox.publishFailed(record, error)
            }
            state.waiting[tenant] = []
            return .published
        }
    }

    func delivered(_ step: TenantStep, record: KafkaMessage, outbox: ShardOutbox<GovernorHandler>) {
        partitions[record.partition]?.ledger.commit(step)
        written += 1
        outbox.finish(record)
        resumeWaiting(of: step.tenantID, partition: record.partition, outbox: outbox)
    }

    func failed(_ step: TenantStep, record: KafkaMessage, error: KafkaError, outbox: ShardOutbox<GovernorHandler>) {
        _ = outbox.publishFailed(record, error)
        resumeWaiting(of: step.tenantID, partition: record.partition, outbox: outbox)
    }

    func release(_ released: Set<KafkaTopicPartition>) -> Int {
        released.reduce(0) { dropped, partition in
            let state = partitions.removeValue(forKey: partition.partition)
            return dropped + (state?.waiting.values.reduce(0) { $0 + $1.count } ?? 0)
        }
    }

    func endOfBatch() {
        if written > 0 { metrics.receiptsWritten(count: written) }
        if duplicates > 0 { metrics.duplicatesSkipped(count: duplicates) }
        (written, duplicates) = (0, 0)
    }

    /// Handles the events that waited for a tenant's receipt, until one of them puts a receipt in flight again.
    private func resumeWaiting(of tenant: String, partition: Int32, outbox: ShardOutbox<GovernorHandler>) {
        guard var waiting = partitions[partition]?.waiting.removeValue(forKey: tenant) else { return }
        while let next = waiting.popFirst() {
            outbox.settle(next.record, decide(next.record, next.event, now: now(), outbox: outbox))
            if partitions[partition]?.waiting[tenant] != nil {
                partitions[partition]!.waiting[tenant]!.append(contentsOf: waiting)
                return
            }
        }
    }

    private func modifyPartition<Result>(_ partition: Int32, _ body: (inout PartitionState) -> Result) -> Result {
        body(&partitions[partition, default: PartitionState(ledger: makeLedger())])
    }
}
