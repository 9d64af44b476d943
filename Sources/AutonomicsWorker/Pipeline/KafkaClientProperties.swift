/// librdkafka properties of the worker's clients, built from the configuration.
///
/// Order of precedence: the worker's tuned defaults, then the operator's pass-through `kafka.properties` (TLS, SASL,
/// tuning), then the few settings the pipeline's delivery guarantee depends on, which cannot be overridden.
public struct KafkaClientProperties: Sendable {
    public var bootstrapServers: String
    public var passThrough: [String: String]
    public var clientID: String
    /// Group-consumer settings that suit the broker, below the operator's own (the embedded cluster wants short sessions).
    public var groupDefaults: [String: String] = [:]

    public init(bootstrapServers: String, passThrough: [String: String], clientID: String, groupDefaults: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.passThrough = passThrough
        self.clientID = clientID
        self.groupDefaults = groupDefaults
    }

    /// A consumer in a balanced group that stores offsets only for finished records and lets librdkafka commit them.
    public func groupConsumer(group: String) -> [String: String] {
        var properties = [
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "range",
            "enable.auto.commit": "true",
            "auto.commit.interval.ms": "1000",
        ]
        properties.merge(groupDefaults, uniquingKeysWith: { $1 })
        properties.merge(common, uniquingKeysWith: { $1 })
        properties["group.id"] = group
        properties["enable.auto.offset.store"] = "false"
        return properties
    }

    /// A consumer that reads partitions it assigns itself (ledger restore, verify). librdkafka wants a `group.id` for
    /// any consumer; this one never subscribes or commits, so it never joins that group.
    public func reader() -> [String: String] {
        var properties = ["auto.offset.reset": "earliest"]
        properties.merge(common, uniquingKeysWith: { $1 })
        properties["group.id"] = "\(clientID).reader"
        properties["enable.auto.commit"] = "false"
        return properties
    }

    /// An idempotent producer: no duplicates and per-partition order through retries.
    public func producer() -> [String: String] {
        var properties = [
            "linger.ms": "5",
            // Java clients' partitioner, so that a tenant lands on the same partition whoever produces it.
            "partitioner": "murmur2_random",
        ]
        properties.merge(common, uniquingKeysWith: { $1 })
        properties["enable.idempotence"] = "true"
        return properties
    }

    private var common: [String: String] {
        var properties = passThrough
        properties["bootstrap.servers"] = bootstrapServers
        if properties["client.id"] == nil {
            properties["client.id"] = clientID
        }
        return properties
    }
}
