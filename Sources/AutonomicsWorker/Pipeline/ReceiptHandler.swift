import AutonomicsCore
import Kafka
import Logging

/// The receipt stage: writes one hash-chained receipt per accepted tenant event, skipping duplicates.
///
/// Receipts of a tenant-events partition go to the same partition of the receipts topic (both are keyed by tenant
/// and have the same partition count), so the owner of a partition finds its tenants' chain heads and dedup windows
/// by reading that one receipts partition when it is assigned.
final class ReceiptHandler: StageHandler {
    private let receiptsTopic: String
    private let makeLedger: () -> ReceiptLedger
    private let reader: TopicReader
    private let metrics: WorkerMetrics
    private let logger: Logger
    private var ledgers: [Int32: ReceiptLedger] = [:]

    init(receiptsTopic: String, makeLedger: @escaping () -> ReceiptLedger, reader: TopicReader, metrics: WorkerMetrics, logger: Logger) {
        self.receiptsTopic = receiptsTopic
        self.makeLedger = makeLedger
        self.reader = reader
        self.metrics = metrics
        self.logger = logger
    }

    func prepare(_ partitions: [KafkaTopicPartition]) throws {
        let numbers = partitions.map(\.partition)
        var restored = Dictionary(uniqueKeysWithValues: numbers.map { ($0, makeLedger()) })
        var receipts = 0
        try reader.readToEnd(topic: receiptsTopic, partitions: numbers) { message in
            guard let value = message.value else { return }
            do {
                try restored[message.partition]?.restore(from: value)
                receipts += 1
            } catch {
                logger.warning("unreadable receipt skipped during restore", metadata: [
                    "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)",
                    "kafka.offset": "\(message.offset)", "error": "\(error)",
                ])
            }
        }
        ledgers.merge(restored) { $1 }
        logger.info("ledger restored", metadata: [
            "kafka.partitions": "\(numbers)", "receipts": "\(receipts)",
            "tenants": "\(restored.values.reduce(0) { $0 + $1.tenantCount })",
        ])
    }

    func release(_ partitions: [KafkaTopicPartition]) {
        for partition in partitions {
            ledgers[partition.partition] = nil
        }
    }

    func handle(_ batch: [KafkaMessage], now: Int64) -> [StageOutcome] {
        var written = 0
        var duplicates = 0
        let outcomes = batch.map { message -> StageOutcome in
            let receipt: Receipt?
            do throws(Rejection) {
                receipt = try ledgers[message.partition, default: makeLedger()].record(tenantEvent: message.value ?? [], now: now)
            } catch {
                return .deadLetter(error)
            }
            guard let receipt else {
                duplicates += 1
                return .skip
            }
            written += 1
            return .publish(StageOutput(
                topic: receiptsTopic, partition: message.partition, key: Array(receipt.tenantID.utf8), value: receipt.bytes))
        }
        metrics.receiptsWritten(count: written)
        metrics.duplicatesSkipped(count: duplicates)
        return outcomes
    }
}
