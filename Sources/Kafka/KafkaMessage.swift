internal import CRdKafka

/// A record header. Kafka allows repeated names and NULL values, and neither name nor value need be UTF-8.
public struct KafkaHeader: Sendable, Hashable {
    /// The header's name. Bytes that are not UTF-8 arrive repaired (U+FFFD).
    public var name: String
    /// The header's value; `nil` is a NULL value, distinct from an empty one.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// A consumed record, copied out of librdkafka's memory.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// `nil` for a NULL key, distinct from an empty one.
    public var key: [UInt8]?
    /// `nil` for a NULL value (a tombstone), distinct from an empty one.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (create or log-append time); `nil` if the broker gave none.
    public var timestamp: Int64?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: self.topic, partition: self.partition)
    }
}

extension KafkaMessage {
    /// Copies a message that librdkafka returned without error. `message` stays owned by the caller.
    init(copying message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        let m = message.pointee
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(
            topic: topic,
            partition: m.partition,
            offset: m.offset,
            key: copyBytes(m.key, count: m.key_len),
            value: copyBytes(m.payload, count: m.len),
            headers: Self.copyHeaders(message),
            timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        )
    }

    private static func copyHeaders(_ message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        // The header list stays owned by the message: it must not be destroyed here.
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
            return []  // _NOENT: no headers.
        }
        var headers: [KafkaHeader] = []
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        var index = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(
                KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: copyBytes(value, count: size))
            )
            index += 1
        }
        return headers
    }
}

/// Copies `count` bytes out of C memory; a NULL pointer is Kafka's NULL, an empty array is an empty value.
func copyBytes(_ pointer: UnsafeRawPointer?, count: Int) -> [UInt8]? {
    guard let pointer else { return nil }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
}
