import AutonomicsCore
import AutonomicsWorker
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The example SKU spec shipped in `config/`, by absolute path: tests do not depend on their working directory.
public let exampleSpecPath = URL(filePath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "config/sku.toml").path

/// A mock cluster with the worker's topics, one per test so tests never see each other's records. Its calls that
/// wait on the network run off Swift's cooperative pool.
public final class TestCluster: Sendable {
    public let cluster: KafkaMockCluster
    public let topics: WorkerConfiguration.Topics
    public let partitions: Int

    public init(partitions: Int = 4) throws {
        cluster = try KafkaMockCluster(brokers: 3, logger: testLogger)
        var topics = WorkerConfiguration.Topics()
        let suffix = UUID().uuidString.prefix(8)
        topics.events += ".\(suffix)"
        topics.tenantEvents += ".\(suffix)"
        topics.receipts += ".\(suffix)"
        topics.dlq += ".\(suffix)"
        topics.control += ".\(suffix)"
        for topic in topics.all {
            try cluster.createTopic(topic, partitions: partitions)
        }
        self.topics = topics
        self.partitions = partitions
    }

    /// A one-partition cluster whose topics each have their own leader, so that faults injected on one broker hit
    /// only the clients of that topic: tenant events on broker 1, receipts on broker 2, raw events and dead letters on
    /// broker 3.
    public static func withSeparateLeaders() throws -> TestCluster {
        let cluster = try TestCluster(partitions: 1)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.events, partition: 0, broker: 3)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.tenantEvents, partition: 0, broker: 1)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.receipts, partition: 0, broker: 2)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.dlq, partition: 0, broker: 3)
        try cluster.cluster.setPartitionLeader(topic: cluster.topics.control, partition: 0, broker: 1)
        return cluster
    }

    public var bootstrapServers: String { cluster.bootstrapServers }

    /// A worker configuration for this cluster with a fresh group and an HTTP server on a free port.
    public func configuration(group: String = "test-\(UUID().uuidString.prefix(8))") -> WorkerConfiguration {
        var configuration = WorkerConfiguration()
        configuration.kafka.brokers = bootstrapServers
        configuration.kafka.group = group
        configuration.kafka.properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        configuration.topics = topics
        configuration.http.port = 0
        configuration.worker.id = "test-worker"
        configuration.worker.shutdownDeadlineSeconds = 10
        configuration.governor.spec = exampleSpecPath
        return configuration
    }

    /// `autonomics run` as a child process against this cluster, in the group of `configuration`, with these
    /// settings on top (as `AUTONOMICS_*` variables); not started.
    public func workerProcess(configuration: WorkerConfiguration, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try autonomicsExecutable()
        process.arguments = ["run", "--brokers", bootstrapServers, "--group", configuration.kafka.group, "--http-port", "0"]
        process.environment = [
            "AUTONOMICS_TOPICS_EVENTS": topics.events,
            "AUTONOMICS_TOPICS_TENANT_EVENTS": topics.tenantEvents,
            "AUTONOMICS_TOPICS_RECEIPTS": topics.receipts,
            "AUTONOMICS_TOPICS_DLQ": topics.dlq,
            "AUTONOMICS_TOPICS_CONTROL": topics.control,
            "AUTONOMICS_GOVERNOR_SPEC": exampleSpecPath,
            "AUTONOMICS_RDKAFKA_SESSION_TIMEOUT_MS": "6000",
        ].merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        return process
    }

    /// Produces `values` with one key, to the events topic unless `topic` says otherwise, and waits until each is written.
    public func produce(_ values: [[UInt8]?], key: [UInt8]? = nil, headers: [KafkaHeader] = [], topic: String? = nil) async throws {
        try await produce(keyed: values.map { (key, $0) }, headers: headers, topic: topic)
    }

    /// Produces records with their own keys, in order, and waits until each is written.
    public func produce(
        keyed records: [(key: [UInt8]?, value: [UInt8]?)], headers: [KafkaHeader] = [], topic: String? = nil
    ) async throws {
        let reports = DeliveryReports()
        try await offThePool {
            let producer = try KafkaProducer(
                properties: ["bootstrap.servers": bootstrapServers], logger: testLogger, deliveryReport: reports.append)
            for (index, record) in records.enumerated() {
                try producer.produce(
                    topic: topic ?? topics.events, partition: nil, key: record.key, value: record.value, headers: headers,
                    token: UInt64(index))
            }
            try producer.flush(timeout: .seconds(10))
        }
        let failed = reports.all.compactMap(\.error)
        try #require(failed.isEmpty, "test records not written: \(failed)")
    }

    /// Every record now on `topic`, partition by partition.
    public func records(of topic: String) async throws -> [KafkaMessage] {
        let reader = KafkaClientProperties(bootstrapServers: bootstrapServers, passThrough: [:], clientID: "test").reader()
        return try await offThePool {
            var records: [KafkaMessage] = []
            try TopicReader(properties: reader, logger: testLogger).readToEnd(topic: topic) { records.append($0) }
            return records
        }
    }

    /// The receipts of kind `event`: one per tenant event decided (a decision's own receipts follow it in the chain).
    public func eventReceipts() async throws -> [KafkaMessage] {
        try await records(of: topics.receipts).filter { (try? JSONValue.parse($0.value ?? [])["kind"]?.stringValue) == "event" }
    }

    /// `autonomics verify` of the receipts topic, and with `publicKey` of every receipt's signature.
    public func verifyReceipts(publicKey: ReceiptPublicKey? = nil) async throws -> VerificationReport {
        try await offThePool {
            try LedgerVerification.verifyTopic(
                topics.receipts, brokers: bootstrapServers, properties: [:], publicKey: publicKey, logger: testLogger)
        }
    }

    /// Tenant events as the intake writes them (keyed by tenant), for signals `range` of `tenants` tenants.
    public func tenantEvents(_ range: Range<Int>, tenants: Int) throws -> [(key: [UInt8]?, value: [UInt8]?)] {
        let normalizer = Normalizer(settings: IntakeSettings())
        return try signals(range, tenants: tenants).enumerated().map { index, signal in
            let origin = EventOrigin(topic: topics.events, partition: 0, offset: Int64(range.lowerBound + index), timestamp: nil)
            let event = try normalizer.normalize(signal, origin: origin, now: WallClock.milliseconds()).get()
            return (Array(event.tenantID.utf8), event.encoded())
        }
    }
}

/// Distinct signals for `tenants` tenants: each one falls in its own 5-second window, so none is a duplicate.
public func signals(_ range: Range<Int>, tenants: Int, start: Int64 = WallClock.milliseconds() / 1000 - 10 * 86_400) -> [[UInt8]] {
    range.map { index in
        let timestamp = start + Int64(index) * 5
        return Array(#"{"tenant_id":"tenant-\#(index % tenants)","metric":"cpu_utilization","value":\#(index % 101),"timestamp":\#(timestamp)}"#.utf8)
    }
}

/// The `event_id` of each receipt or tenant event.
public func eventIDs(_ records: [KafkaMessage]) throws -> [String] {
    try records.map { try #require(JSONValue.parse($0.value ?? [])["event_id"]?.stringValue) }
}

/// A worker running in the background until `stop()`, which shuts it down gracefully and returns its error, if any.
public final class RunningWorker: Sendable {
    public let worker: Worker
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let boundPort: BoundPort

    /// The port of the operations server, once it listens.
    public func operationsPort() async throws -> Int {
        await eventually("the operations server") { boundPort.value.withLock { $0 } != nil }
        return try #require(boundPort.value.withLock { $0 })
    }

    /// Builds the worker (which checks the broker: off the pool) and starts it.
    /// - Parameter environment: where the worker discovers GCP credentials. Default: none, so that a test never
    ///   reaches for a real metadata server by accident.
    public init(
        _ configuration: WorkerConfiguration, now: @escaping @Sendable () -> Int64 = WallClock.milliseconds,
        environment: [String: String] = [:]
    ) async throws {
        let boundPort = BoundPort()
        self.boundPort = boundPort
        worker = try await offThePool {
            try Worker(
                configuration: configuration, logger: testLogger,
                onHTTPServerRunning: { port in boundPort.value.withLock { $0 = port } }, now: now,
                environment: environment)
        }
        group = worker.makeServiceGroup()
        task = Task { [group] in try await group.run() }
    }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

private final class BoundPort: Sendable {
    let value = Mutex<Int?>(nil)
}

/// Polls `condition` until it holds; fails the test (and returns false) after `timeout`.
@discardableResult
public func eventually(
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
    public var bytes: [UInt8] { Array(utf8) }
}

/// The `autonomics` executable built next to the test bundle.
public func autonomicsExecutable() throws -> URL {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("autonomics")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the autonomics product first (swift build)")
    return binary
}

/// A GET to the operations server.
public func httpGet(port: Int, path: String) async throws -> (status: Int, body: String) {
    let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    let (data, response) = try await URLSession.shared.data(from: url)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}
