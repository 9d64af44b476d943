import Kafka

/// Why a stage stopped the worker. Each leaves the records concerned uncommitted: they are consumed again after a
/// restart, never skipped.
enum StageError: Error, CustomStringConvertible {
    case deadLetterUndeliverable(KafkaTopicPartition, offset: Int64, error: any Error)
    case partitionsNotPrepared(any Error)
    case drainTimedOut(unfinished: Int)
    case shardUnresponsive(shard: Int)
    case decisionPartlyDelivered(tenantID: String, delivered: Int, of: Int, error: any Error)
    case outputMayBeWritten(KafkaTopicPartition, offset: Int64, error: any Error)

    var description: String {
        switch self {
        case .deadLetterUndeliverable(let partition, let offset, let error):
            "dead letter for \(partition)@\(offset) could not be delivered: \(error)"
        case .partitionsNotPrepared(let error):
            "could not prepare assigned partitions: \(error)"
        case .drainTimedOut(let unfinished):
            "\(unfinished) records still unfinished at the drain deadline"
        case .shardUnresponsive(let shard):
            "shard \(shard) did not release revoked partitions in time"
        case .outputMayBeWritten(let partition, let offset, let error):
            "the output for \(partition)@\(offset) failed but may have been written (\(error)); a restart reads what was"
        case .decisionPartlyDelivered(let tenant, let delivered, let total, let error):
            "tenant \(tenant): \(delivered) of \(total) receipts of a decision delivered and the next could not be, "
                + "even retried (\(error)); a restart resumes from the last delivered receipt"
        }
    }
}
