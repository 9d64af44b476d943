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
