import AutonomicsCore
import Kafka
import Logging

/// Restores the tenants of newly assigned tenant-events partitions from the same partitions of the receipts topic
/// (their chain heads and dedup windows), split among the shards the way tenant events are routed, and hands each
/// shard its part through its mailbox, so that it arrives before any record of those partitions.
struct ReceiptRestore {
    let tenantEventsTopic: String
    let receiptsTopic: String
    /// The empty ledger the governor's shards start from.
    let makeLedger: @Sendable () -> ReceiptLedger
    let reader: TopicReader
    let logger: Logger

    func restore(_ partitions: [KafkaTopicPartition], into shards: [Shard<GovernorHandler>], router: ShardRouter) throws {
        // The control topic's partitions come with the tenant-events partitions of the same numbers.
        let numbers = partitions.filter { $0.topic == tenantEventsTopic }.map(\.partition)
        guard !numbers.isEmpty else { return }
        let empty = Dictionary(uniqueKeysWithValues: numbers.map { ($0, makeLedger()) })
        var ledgers = Array(repeating: empty, count: shards.count)
        var receipts = 0
        try reader.readToEnd(topic: receiptsTopic, partitions: numbers) { message in
            guard let value = message.value else { return }
            do {
                let receipt = try StoredReceipt(parsing: value)
                ledgers[router.shard(forTenant: receipt.tenantID)][message.partition]?.restore(receipt)
                receipts += 1
            } catch {
                logger.warning("unreadable receipt skipped during restore", metadata: [
                    "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)",
                    "kafka.offset": "\(message.offset)", "error": "\(error)",
                ])
            }
        }
        for (shard, restored) in zip(shards, ledgers) {
            shard.post(.perform { handler, _ in
                for (partition, ledger) in restored {
                    handler.adopt(ledger, partition: partition)
                }
            })
        }
        logger.info("ledger restored", metadata: [
            "kafka.partitions": "\(numbers)", "receipts": "\(receipts)",
            "tenants": "\(ledgers.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.tenantCount } })",
        ])
    }
}
