/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(self.topic)[\(self.partition)]" }
}

/// A partition of a topic with an offset in it.
///
/// What the offset means depends on the call: for ``KafkaConsumer/storeOffsets(_:)`` and
/// ``KafkaConsumer/commit(_:synchronous:)`` it is the *next* offset to consume (last processed + 1); for
/// ``KafkaConsumer/assign(_:)`` and ``KafkaConsumer/seek(_:timeout:)`` it is where to start, possibly one of the
/// logical offsets in ``KafkaOffset``.
public struct KafkaTopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: self.topic, partition: self.partition)
    }

    public var description: String { "\(self.topic)[\(self.partition)]@\(self.offset)" }
}

/// librdkafka's logical offsets, for assigning and seeking, and as returned when no offset is known.
public enum KafkaOffset {
    /// The oldest offset still in the partition.
    public static let beginning: Int64 = -2
    /// The offset after the last message in the partition.
    public static let end: Int64 = -1
    /// The group's committed offset (falling back to `auto.offset.reset`).
    public static let stored: Int64 = -1000
    /// No offset: returned when none is committed or the position is unknown.
    public static let invalid: Int64 = -1001
}
