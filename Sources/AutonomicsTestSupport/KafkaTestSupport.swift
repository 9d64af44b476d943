import Kafka
import Logging
import Synchronization

/// Logs at warning and above to stderr: enough to see why a test failed.
public let testLogger: Logger = {
    var logger = Logger(label: "tests") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}()

/// A name no other test (or run) uses, for topics, groups and transactional ids.
public func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt64.random(in: 0...UInt64.max))"
}

/// Kafka API keys, for fault injection.
public enum KafkaAPI {
    public static let produce: Int16 = 0
    public static let heartbeat: Int16 = 12
}

/// Consumer properties that keep the mock cluster's group joins and rejoins short.
public func consumerProperties(_ cluster: KafkaMockCluster, group: String) -> [String: String] {
    [
        "bootstrap.servers": cluster.bootstrapServers,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": "false",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
    ]
}

/// Collects delivery reports; the producer calls it on the thread that polls.
public final class DeliveryReports: Sendable {
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    public init() {}

    public func append(_ report: KafkaDeliveryReport) {
        self.reports.withLock { $0.append(report) }
    }

    public var all: [KafkaDeliveryReport] {
        self.reports.withLock { $0 }
    }
}

public func makeProducer(
    _ cluster: KafkaMockCluster,
    reports: DeliveryReports,
    properties: [String: String] = [:]
) throws -> KafkaProducer {
    try KafkaProducer(
        properties: ["bootstrap.servers": cluster.bootstrapServers].merging(properties) { $1 },
        logger: testLogger,
        deliveryReport: reports.append
    )
}

/// Sends the values "0", "1", … for `indices`, each with its index as delivery token, to `partition(index)`
/// (nil lets the partitioner choose) with key `key(index)`.
public func produceNumbered(
    _ producer: KafkaProducer,
    topic: String,
    _ indices: Range<Int>,
    partition: (Int) -> Int32? = { _ in 0 },
    key: (Int) -> [UInt8]? = { _ in nil }
) throws {
    for index in indices {
        try producer.produce(
            topic: topic,
            partition: partition(index),
            key: key(index),
            value: bytes("\(index)"),
            headers: [],
            token: UInt64(index)
        )
    }
}

/// Polls until `isDone` holds for everything received so far, or throws when `timeout` passes.
public func poll(
    _ consumer: KafkaConsumer,
    timeout: Duration = .seconds(30),
    until isDone: ([KafkaMessage]) -> Bool
) throws -> [KafkaMessage] {
    let deadline = ContinuousClock.now + timeout
    var messages: [KafkaMessage] = []
    while !isDone(messages) {
        guard ContinuousClock.now < deadline else {
            throw TestTimeout(description: "got \(messages.count) messages before the timeout")
        }
        messages += try consumer.poll(maxMessages: 100, timeout: .milliseconds(100))
    }
    return messages
}

public struct TestTimeout: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

public func bytes(_ string: String) -> [UInt8] {
    Array(string.utf8)
}

extension KafkaMessage {
    /// A header's value as text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
