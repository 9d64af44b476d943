import Kafka
import Logging

/// Reads partitions of a topic from their first retained record up to their end as of the call, outside any consumer
/// group: how a stage restores its state on assignment, and how `verify` reads a ledger.
public struct TopicReader: Sendable {
    struct TimedOut: Error, CustomStringConvertible {
        var topic: String
        var timeout: Duration
        var description: String { "reading \(topic) to its end took longer than \(timeout)" }
    }

    public var properties: [String: String]
    public var logger: Logger
    public var timeout: Duration = .seconds(120)

    public init(properties: [String: String], logger: Logger) {
        self.properties = properties
        self.logger = logger
    }

    /// Calls `body` with every record of `partitions` (all of the topic's when nil), in order within each partition.
    public func readToEnd(topic: String, partitions: [Int32]? = nil, _ body: (KafkaMessage) throws -> Void) throws {
        let consumer = try KafkaConsumer(properties: properties, logger: logger)
        defer { consumer.close() }
        let selected = try partitions ?? Array(0..<Int32(consumer.partitionCount(topic: topic, timeout: .seconds(10))))
        var ends: [Int32: Int64] = [:]
        var starts: [KafkaTopicPartitionOffset] = []
        for partition in selected {
            let watermarks = try consumer.queryWatermarks(KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(10))
            if watermarks.high > watermarks.low {
                ends[partition] = watermarks.high
                starts.append(KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: watermarks.low))
            }
        }
        guard !starts.isEmpty else { return }
        try consumer.assign(starts)

        let deadline = ContinuousClock.now + timeout
        while !ends.isEmpty {
            guard ContinuousClock.now < deadline else { throw TimedOut(topic: topic, timeout: timeout) }
            for message in try consumer.poll(maxMessages: 10_000, timeout: .milliseconds(100)) {
                guard let end = ends[message.partition], message.offset < end else { continue }
                try body(message)
                if message.offset + 1 >= end {
                    ends[message.partition] = nil
                }
            }
            // Positions also move over records that are never delivered (transaction markers), so check them too.
            let remaining = ends.keys.map { KafkaTopicPartition(topic: topic, partition: $0) }
            for position in consumer.positions(remaining) where position.offset >= ends[position.partition] ?? .max {
                ends[position.partition] = nil
            }
        }
    }
}
