import AutonomicsCore
import Kafka

/// What a stage does with its records, one shard's share of them: it runs only on its shard's thread, one input
/// at a time, and performs nothing itself — it asks its ``ShardOutbox`` for outputs and dead letters.
///
/// Every record handed to ``handle(_:now:outbox:)`` must end as exactly one of: an output whose delivery the
/// handler follows, a dead letter, or finished at once; ``RecordOutcome`` makes the handler say which, so that a
/// record cannot go unaccounted for (its offset would then block the commit point, never be skipped).
protocol ShardHandler: AnyObject, SendableMetatype {
    /// What the handler keeps with an output until its delivery report.
    associatedtype Pending

    /// Decides what becomes of one record.
    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<Self>) -> RecordOutcome
    /// An output was delivered; `record` is the input it was produced for (nil for an input from the mailbox).
    func delivered(_ pending: Pending, record: KafkaMessage?, outbox: ShardOutbox<Self>)
    /// An output could not be delivered; the handler dead-letters its record (or retries it).
    func failed(_ pending: Pending, record: KafkaMessage?, error: KafkaError, outbox: ShardOutbox<Self>)
    /// Drops the state of partitions this process no longer owns, including records it holds back.
    /// - Returns: how many held-back records it dropped.
    func release(_ partitions: Set<KafkaTopicPartition>) -> Int
    /// Called after each group of mailbox items: the place to publish counts kept per record.
    func endOfBatch()
}

/// How a handler accounted for a record.
enum RecordOutcome {
    /// An output is in flight; the record finishes when the handler says so after its delivery.
    case published
    /// The record went to the dead-letter topic; it finishes when the dead letter is delivered.
    case deadLettered
    /// Nothing to deliver (a duplicate, say); the record is finished.
    case finished
    /// Held back by the handler (its tenant has a delivery in flight) and handled again later.
    case deferred
}

/// One record to produce.
struct StageOutput {
    var topic: String
    /// nil lets the partitioner choose from the key.
    var partition: Int32?
    var key: [UInt8]
    var value: [UInt8]
}
