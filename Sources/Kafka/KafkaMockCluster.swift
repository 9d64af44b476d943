internal import CRdKafka
public import Logging

/// librdkafka's in-process mock cluster (`rdkafka_mock.h`): brokers listening on 127.0.0.1, reachable over TCP
/// by any client, in this process or another, while this object lives.
///
/// Good for tests and the embedded default; see the project's Kafka reference for what it does not do (it
/// discards transactional offsets, has no CreateTopics). Thread-safe: every call posts to the mock's own thread.
/// Its logs reach `logger` from librdkafka's threads, as nothing polls its bookkeeping client.
public final class KafkaMockCluster: @unchecked Sendable {
    /// The client the mock needs for bookkeeping. Declared before `cluster` only for reading order: deinit
    /// destroys the cluster explicitly, before this client destroys its handle.
    private let client: RDKafkaClient
    private let cluster: OpaquePointer

    /// The comma-separated `host:port` list to use as `bootstrap.servers`.
    public let bootstrapServers: String

    /// Starts a cluster of `brokers` brokers, with ids `1...brokers`.
    public init(brokers: Int = 3, logger: Logger) throws {
        self.client = try RDKafkaClient(
            type: RD_KAFKA_PRODUCER,
            properties: [:],
            callbacks: RDKafkaCallbacks(logger: logger),
            servesCallbacksOnPoll: false
        )
        guard let cluster = self.client.withHandle({ rd_kafka_mock_cluster_new($0, Int32(clamping: brokers)) }) else {
            throw KafkaError(code: .invalidArgument, message: "Could not start a mock cluster of \(brokers) brokers")
        }
        self.cluster = cluster
        // The string belongs to the cluster: copy it.
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(self.cluster)
    }

    /// Creates a topic (the mock has no CreateTopics API).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        try check(
            rd_kafka_mock_topic_create(
                self.cluster,
                name,
                Int32(clamping: partitions),
                Int32(clamping: replicationFactor)
            ),
            "Could not create topic \(name)"
        )
    }

    /// Takes a broker down: its connections close and it refuses new ones.
    public func setBrokerDown(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(self.cluster, brokerID))
    }

    /// Brings a broker back up.
    public func setBrokerUp(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(self.cluster, brokerID))
    }

    /// Makes the next `errors.count` requests of Kafka API `apiKey` (e.g. 0 for Produce) fail, in order, with
    /// these codes. ``KafkaError/Code/transport`` makes the broker drop the connection instead.
    public func pushRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        let codes = errors.map(\.rdValue)
        rd_kafka_mock_push_request_errors_array(self.cluster, apiKey, codes.count, codes)
    }

    /// Makes the next `errors.count` requests of Kafka API `apiKey` that reach broker `brokerID` fail, in order,
    /// with these codes: a fault for the clients of the partitions it leads only.
    public func pushRequestErrors(broker brokerID: Int32, apiKey: Int16, errors: [KafkaError.Code]) throws {
        for error in errors {
            try check(crdkafka_mock_broker_push_request_error(self.cluster, brokerID, apiKey, error.rdValue, 0))
        }
    }

    /// Moves a partition's leadership to broker `brokerID`.
    public func setPartitionLeader(topic: String, partition: Int32, broker brokerID: Int32) throws {
        try check(rd_kafka_mock_partition_set_leader(self.cluster, topic, partition, brokerID))
    }
}
