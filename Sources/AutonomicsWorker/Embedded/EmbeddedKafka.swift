import Kafka
import Logging
import ServiceLifecycle

/// librdkafka's mock cluster, in process, with the worker's topics created: the default broker when none is configured.
/// Other processes (kcat, `autonomics produce`) reach it over TCP on 127.0.0.1 while the worker runs.
///
/// As a Service it only keeps the cluster alive until graceful shutdown; put it first in the group so that it stops last.
public final class EmbeddedKafka: Service, Sendable {
    private let cluster: KafkaMockCluster

    public var bootstrapServers: String { cluster.bootstrapServers }

    /// Consumer settings that suit the mock cluster: a rejoin waits for the session timeout, and a fetch with no data
    /// waits `fetch.wait.max.ms` even when data arrives meanwhile (a real broker answers at once), so keep both short.
    static let consumerDefaults = [
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
}
