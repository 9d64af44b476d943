import Kafka
import Logging
import ServiceLifecycle
import UnixSignals

/// librdkafka's mock cluster, in process, with the worker's topics created: the default broker when none is configured.
/// Other processes (kcat, `autonomics produce`) reach it over TCP on 127.0.0.1 while the worker runs.
///
/// As a Service it only keeps the cluster alive until graceful shutdown; put it first in the group so that it stops last.
public final class EmbeddedKafka: Service, Sendable {
    private let cluster: KafkaMockCluster

    public var bootstrapServers: String { cluster.bootstrapServers }

    /// What `autonomics run` and `autonomics broker` print before the bootstrap servers; scripts read the line.
    public static let announcement = "embedded Kafka cluster: bootstrap.servers="

    /// Consumer settings that suit the mock cluster: a rejoin waits for the session timeout, and a fetch with no data
    /// waits `fetch.wait.max.ms` even when data arrives meanwhile (a real broker answers at once), so keep both short.
    public static let consumerDefaults = [
        "session.timeout.ms": "6000", "heartbeat.interval.ms": "1000", "fetch.wait.max.ms": "10",
    ]

    public init(brokers: Int, partitions: Int, topics: [String], logger: Logger) throws {
        cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        for topic in topics {
            try cluster.createTopic(topic, partitions: partitions, replicationFactor: min(brokers, 3))
        }
    }

    public func run() async throws {
        try await gracefulShutdown()
    }

    /// Keeps the cluster up until SIGTERM or SIGINT (`autonomics broker`).
    public func runUntilSignalled(logger: Logger) async throws {
        try await ServiceGroup(services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
