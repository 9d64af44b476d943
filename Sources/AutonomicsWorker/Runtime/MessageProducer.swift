import Kafka

/// What a shard needs of a producer: enqueue a message whose delivery report comes back, later and elsewhere, with
/// `token`. ``KafkaProducer`` in the worker; tests drive shards and handlers without a broker through a fake.
protocol MessageProducer: Sendable {
    func produce(
        topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64?,
        token: UInt64
    ) throws
}

extension KafkaProducer: MessageProducer {}
