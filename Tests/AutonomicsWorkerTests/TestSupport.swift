import AutonomicsCore
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AutonomicsWorker

/// A mock cluster with the worker's topics, one per test so tests never see each other's records.
final class TestCluster: Sendable {
    let cluster: KafkaMockCluster
    let topics: WorkerConfiguration.Topics
    let partitions: Int

    init(partitions: Int = 4) throws {
        cluster = try KafkaMockCluster(brokers: 3, logger: testLogger)
        var topics = WorkerConfiguration.Topics()
        let suffix = UUID().uuidString.prefix(8)
        topics.events += ".\(suffix)"
        topics.tenantEvents += ".\(suffix)"
        topics.receipts += ".\(suffix)"
        topics.dlq += ".\(suffix)"
        for topic in topics.all {
            try cluster.createTopic(topic, partitions: partitions)
        }
        self.topics = topics
        self.partitions = partitions
    }

    var bootstrapServers: String { cluster.bootstrapServers }

    /// A worker configuration for this cluster with a fresh group and an HTTP server on a free port.
    func configuration(group: String = "test-\(UUID().uuidString.prefix(8))") -> WorkerConfiguration {
        var configuration = WorkerConfiguration()
        configuration.kafka.brokers = bootstrapServers
        configuration.kafka.group = group
        configuration.kafka.properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        configuration.topics = topics
        configuration.http.port = 0
        configuration.worker.id = "test-worker"
        configuration.worker.shutdownDeadlineSeconds = 10
        return configuration
    }

    func produce(_ values: [[UInt8]?], key: [UInt8]? = nil, headers: [KafkaHeader] = [], topic: String? = nil) throws {
        try produce(keyed: values.map { (key, $0) }, headers: headers, topic: topic)
    }

    /// Produces records with their own keys, in order, and waits until each is written.
    func produce(keyed records: [(key: [UInt8]?, value: [UInt8]?)], headers: [KafkaHeader] = [], topic: String? = nil) throws {
        let failures = Mutex<[KafkaError]>([])
        let producer = try KafkaProducer(properties: ["bootstrap.servers": bootstrapServers], logger: testLogger) { report in
            if let error = report.error { failures.withLock { $0.append(error) } }
        }
        for (index, record) in records.enumerated() {
            try producer.produce(
                topic: topic ?? topics.events, partition: nil, key: record.key, value: record.value, headers: headers,
                token: UInt64(index))
        }
        try producer.flush(timeout: .seconds(10))
        let failed = failures.withLock { $0 }
        try #require(failed.isEmpty, "test records not written: \(failed)")
    }

    /// Tenant events as the intake writes them (keyed by tenant), for signals `range` of `tenants` tenants.
    func tenantEvents(_ range: Range<Int>, tenants: Int) throws -> [(key: [UInt8]?, value: [UInt8]?)] {
        let normalizer = Normalizer(settings: IntakeSettings())
        return try signals(range, tenants: tenants).enumerated().map { index, signal in
            let origin = EventOrigin(topic: topics.events, partition: 0, offset: Int64(range.lowerBound + index), timestamp: nil)
            let event = try normalizer.normalize(signal, origin: origin, now: WallClock.milliseconds()).get()
            return (Array(event.tenantID.utf8), event.encoded())
        }
    }

    /// Every record now on `topic`, partition by partition.
    func records(of topic: String) throws -> [KafkaMessage] {
        var records: [KafkaMessage] = []
        let reader = KafkaClientProperties(bootstrapServers: bootstrapServers, passThrough: [:], clientID: "test").reader()
        try TopicReader(properties: reader, logger: testLogger)
            .readToEnd(topic: topic) { records.append($0) }
        return records
    }
}

/// Kafka API keys, for fault injection.
enum KafkaAPI {
    static let produce: Int16 = 0
    static let heartbeat: Int16 = 12
}

extension TestCluster {
    /// A one-partition cluster whose topics each have their own leader, so that faults injected on one broker hit
    /// only the clients of that topic: tenant events on broker 1, receipts on broker 2, raw events and dead letters on
    /// broker 3.
    static func withSeparateLeaders() throws -> TestCluster {
        let cluster = try TestCluster(partitions: 1)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.events, partition: 0, broker: 3)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.tenantEvents, partition: 0, broker: 1)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.receipts, partition: 0, broker: 2)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.dlq, partition: 0, broker: 3)
        return cluster
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()

/// A worker running in the background until `stop()`, which shuts it down gracefully and returns its error, if any.
final class RunningWorker: Sendable {
    let worker: Worker
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let boundPort = BoundPort()

    /// The port of the operations server, once it listens.
    func operationsPort() async throws -> Int {
        await eventually("the operations server") { boundPort.value.withLock { $0 } != nil }
        return try #require(boundPort.value.withLock { $0 })
    }

    init(_ configuration: WorkerConfiguration, now: @escaping @Sendable () -> Int64 = WallClock.milliseconds) throws {
        worker = try Worker(
            configuration: configuration, logger: testLogger,
            onHTTPServerRunning: { [boundPort] port in boundPort.value.withLock { $0 = port } }, now: now)
        group = worker.makeServiceGroup()
        task = Task { [group] in try await group.run() }
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

private final class BoundPort: Sendable {
    let value = Mutex<Int?>(nil)
}

/// Polls `condition` until it holds; fails the test (and returns false) after `timeout`.
@discardableResult
func eventually(
    timeout: Duration = .seconds(60), _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
    return false
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension KafkaMessage {
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The `autonomics` executable built next to the test bundle.
func autonomicsExecutable() throws -> URL {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("autonomics")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the autonomics product first (swift build)")
    return binary
}
