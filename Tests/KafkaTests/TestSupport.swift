import Kafka
import Logging
import Synchronization
import Testing

/// Logs at warning and above to stderr: enough to see why a test failed.
let testLogger: Logger = {
    var logger = Logger(label: "kafka-tests") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}()

/// A name no other test (or run) uses, for topics, groups and transactional ids.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UInt64.random(in: 0...UInt64.max))"
}

/// Consumer properties that keep the mock cluster's group joins and rejoins short.
func consumerProperties(_ cluster: KafkaMockCluster, group: String) -> [String: String] {
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
final class DeliveryReports: Sendable {
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    func append(_ report: KafkaDeliveryReport) {
        self.reports.withLock { $0.append(report) }
    }

    var all: [KafkaDeliveryReport] {
        self.reports.withLock { $0 }
    }
}

func makeProducer(
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
func produceNumbered(
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
func poll(
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

struct TestTimeout: Error, CustomStringConvertible {
    var description: String
}

func bytes(_ string: String) -> [UInt8] {
    Array(string.utf8)
}
