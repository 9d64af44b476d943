import AutonomicsCore
import Kafka

/// What one pipeline stage does with the records it consumes. `StageLoop` calls it only on the stage's own thread.
protocol StageHandler: AnyObject {
    /// Prepares the state of newly assigned input partitions, before any of their records is handled.
    func prepare(_ partitions: [KafkaTopicPartition]) throws
    /// Drops the state of input partitions this process no longer owns; their outputs are already delivered.
    func release(_ partitions: [KafkaTopicPartition])
    /// Decides, in order, what becomes of each record of a batch.
    func handle(_ batch: [KafkaMessage], now: Int64) -> [StageOutcome]
}

/// What becomes of one consumed record.
enum StageOutcome {
    /// Publish one output record; the input counts as done when it is delivered.
    case publish(StageOutput)
    /// Send the input, byte-for-byte, to the dead-letter topic with the reason.
    case deadLetter(Rejection)
    /// Nothing to publish (for example a duplicate); the input is done at once.
    case skip
}

struct StageOutput {
    var topic: String
    /// nil lets the partitioner choose from the key.
    var partition: Int32?
    var key: [UInt8]
    var value: [UInt8]
}
