import AutonomicsWorker
import Kafka
import Logging
import Synchronization

/// A count shared between the thread that finishes events and the generator that waits on it.
final class SharedCounter: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .relaxed) }

    func add(_ amount: Int) { count.add(amount, ordering: .relaxed) }
}

/// The ceiling: librdkafka consuming the benchmark's events and producing them unchanged (key, value, headers) to
/// another topic, with the worker's client settings and loop shape, doing no work in between.
final class BaselineRelay: @unchecked Sendable {
    /// Messages acknowledged on the output topic.
    let delivered = SharedCounter()
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let input: String
    private let output: String
    private let maxBatch: Int

    init(clients: KafkaClientProperties, group: String, input: String, output: String, maxBatch: Int, logger: Logger) throws {
        consumer = try KafkaConsumer(properties: clients.groupConsumer(group: group), logger: logger)
        producer = try KafkaProducer(properties: clients.producer(), logger: logger) { [delivered] report in
            if report.error == nil { delivered.add(1) }
        }
        try producer.prepare(topics: [output], timeout: .seconds(10))
        self.input = input
        self.output = output
        self.maxBatch = maxBatch
    }

    /// Joins the group and waits for partitions, so that the measurement does not include the join.
    func join(timeout: Duration) throws {
        try consumer.subscribe([input])
        let deadline = ContinuousClock.now + timeout
        while try consumer.assignment().isEmpty {
            guard ContinuousClock.now < deadline else { throw BenchmarkError.timedOut("the baseline relay's partitions") }
            _ = try consumer.poll(maxMessages: 1, timeout: .milliseconds(100))
        }
    }

    /// Relays until `expected` messages are delivered downstream or `stop` is requested (on the calling thread).
    func run(expected: Int, stop: StopSignal, deadline: ContinuousClock.Instant) throws {
        while delivered.value < expected, !stop.isRequested {
            guard ContinuousClock.now < deadline else {
                throw BenchmarkError.timedOut("the baseline relay: \(delivered.value) of \(expected) relayed")
            }
            let batch = try consumer.poll(maxMessages: maxBatch, timeout: .milliseconds(5))
            var next: [Int32: Int64] = [:]
            for message in batch {
                try producer.produce(
                    topic: output, partition: nil, key: message.key, value: message.value, headers: message.headers,
                    token: 0)
                next[message.partition] = message.offset + 1
            }
            producer.poll()
            try? consumer.storeOffsets(next.map { KafkaTopicPartitionOffset(topic: input, partition: $0.key, offset: $0.value) })
        }
        consumer.close()
    }
}

/// Reads the receipts topic from its end as it was before the run and notes, for each receipt, when it arrived and
/// which input record (`source` partition and offset) it stands for.
final class ReceiptArrivals: @unchecked Sendable {
    /// Receipts read so far.
    let received = SharedCounter()
    /// Arrival times (ns, monotonic) by source partition and offset. Written by the reading thread, read after it finished.
    private(set) var arrivals: [(partition: Int32, offset: Int64, nanoseconds: UInt64)] = []
    private let consumer: KafkaConsumer

    init(properties: [String: String], topic: String, logger: Logger) throws {
        consumer = try KafkaConsumer(properties: properties, logger: logger)
        let partitions = try consumer.partitionCount(topic: topic, timeout: .seconds(10))
        let starts = try (0..<Int32(partitions)).map { partition in
            let end = try consumer.queryWatermarks(KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(10)).high
            return KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: end)
        }
        try consumer.assign(starts)
    }

    /// Reads until `expected` receipts arrived, `stop` is requested or `deadline` passed (on the calling thread).
    func run(expected: Int, stop: StopSignal, deadline: ContinuousClock.Instant) throws {
        arrivals.reserveCapacity(expected)
        while received.value < expected, !stop.isRequested, ContinuousClock.now < deadline {
            for message in try consumer.poll(maxMessages: 10_000, timeout: .milliseconds(5)) {
                let now = Monotonic.nanoseconds()
                guard let source = ReceiptSource(message.value ?? []) else { continue }
                arrivals.append((source.partition, source.offset, now))
                received.add(1)
            }
        }
        guard received.value >= expected || stop.isRequested else {
            throw BenchmarkError.timedOut("receipts: \(received.value) of \(expected) arrived")
        }
    }
}

/// The `source` partition and offset of a receipt, found without a full parse: receipts are canonical JSON, so the
/// object always reads `"source":{"offset":N,"partition":P,`.
struct ReceiptSource {
    var partition: Int32
    var offset: Int64

    private static let marker = Array(#""source":{"offset":"#.utf8)

    init?(_ receipt: [UInt8]) {
        let marker = Self.marker
        let found: Int? = receipt.withUnsafeBufferPointer { bytes in
            guard bytes.count >= marker.count else { return nil }
            for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                if marker.indices.allSatisfy({ bytes[start + $0] == marker[$0] }) { return start }
            }
            return nil
        }
        guard let found else { return nil }
        var position = found + Self.marker.count
        func number() -> Int64? {
            var value: Int64 = 0
            let first = position
            while position < receipt.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(receipt[position]) {
                value = value * 10 + Int64(receipt[position] - UInt8(ascii: "0"))
                position += 1
            }
            return position > first ? value : nil
        }
        guard let offset = number() else { return nil }
        let separator = Array(#","partition":"#.utf8)
        let end = position + separator.count
        guard end <= receipt.count, receipt[position..<end].elementsEqual(separator) else { return nil }
        position += separator.count
        guard let partition = number() else { return nil }
        self.partition = Int32(partition)
        self.offset = offset
    }
}
