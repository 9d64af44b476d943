internal import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t` and destroys it in deinit.
final class RDKafkaTopicPartitionList {
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// Adopts a list that librdkafka handed over to the caller (e.g. from `rd_kafka_assignment`).
    init(adopting list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.list = list
    }

    /// A list of `(topic, partition, offset)`; librdkafka copies each topic name.
    private init<S: Collection>(_ elements: S, _ fields: (S.Element) -> (String, Int32, Int64)) {
        self.list = rd_kafka_topic_partition_list_new(Int32(clamping: elements.count))
        for element in elements {
            let (topic, partition, offset) = fields(element)
            rd_kafka_topic_partition_list_add(self.list, topic, partition).pointee.offset = offset
        }
    }

    convenience init(_ partitions: some Collection<KafkaTopicPartition>) {
        self.init(partitions) { ($0.topic, $0.partition, KafkaOffset.invalid) }
    }

    convenience init(_ offsets: some Collection<KafkaTopicPartitionOffset>) {
        self.init(offsets) { ($0.topic, $0.partition, $0.offset) }
    }

    /// A subscription: every partition of each topic.
    convenience init(topics: [String]) {
        self.init(topics) { ($0, RD_KAFKA_PARTITION_UA, KafkaOffset.invalid) }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(self.list)
    }

    /// Lends the list to a C call; the pointer must not escape `body`.
    func withListPointer<R>(
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> R
    ) rethrows -> R {
        try body(self.list)
    }

    var partitions: [KafkaTopicPartition] { Self.partitions(in: self.list) }

    var offsets: [KafkaTopicPartitionOffset] {
        Self.elements(of: self.list).map {
            KafkaTopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset)
        }
    }

    /// Throws the first per-partition error that librdkafka set in the list.
    func checkElementErrors() throws {
        for element in Self.elements(of: self.list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let partition = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
            let reason = String(cString: rd_kafka_err2str(element.err))
            throw KafkaError(element.err, message: "\(partition): \(reason)")
        }
    }

    /// Copies the partitions out of a list that librdkafka lends to a callback.
    static func partitions(in list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition] {
        self.elements(of: list).map { KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    private static func elements(
        of list: UnsafePointer<rd_kafka_topic_partition_list_t>
    ) -> UnsafeBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt))
    }
}
