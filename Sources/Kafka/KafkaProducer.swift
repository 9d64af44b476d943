internal import CRdKafka
public import Logging
import Synchronization

/// The outcome of one produced message.
public struct KafkaDeliveryReport: Sendable {
    /// The token given to ``KafkaProducer/produce(topic:partition:key:value:headers:timestamp:token:)``.
    public var token: UInt64
    public var topic: String
    public var partition: Int32
    /// The message's offset; ``KafkaOffset/invalid`` if it was not written.
    public var offset: Int64
    /// `nil` if the message was written.
    public var error: KafkaError?
    /// For a failed message: whether it may have been written all the same (a timeout after it was sent, say,
    /// librdkafka's `RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED`); false when it certainly was not.
    public var mayBeWritten: Bool

    public init(token: UInt64, topic: String, partition: Int32, offset: Int64, error: KafkaError?, mayBeWritten: Bool = false) {
        self.token = token
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
        self.mayBeWritten = mayBeWritten
    }
}

extension KafkaDeliveryReport {
    /// Copies a delivery report's message, whose topic is named `topic`; librdkafka keeps ownership of it.
    init(_ message: UnsafePointer<rd_kafka_message_t>, topic: String) {
        let m = message.pointee
        self.init(
            // The token travelled as the pointer-sized msg_opaque.
            token: UInt64(UInt(bitPattern: m._private)),
            topic: topic,
            partition: m.partition,
            offset: m.offset,
            error: m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err),
            mayBeWritten: m.err != RD_KAFKA_RESP_ERR_NO_ERROR
                && rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED
        )
    }
}

/// A Kafka producer over librdkafka, optionally transactional (`transactional.id`).
///
/// Threading contract: delivery reports and librdkafka's logs are served on the thread that calls ``poll(timeout:)``,
/// ``flush(timeout:)``, ``produce(topic:partition:key:value:headers:timestamp:token:)`` (when the queue is
/// full) or a transactional call. Every method is thread-safe; if several threads call those, the
/// `deliveryReport` closure must be too. ``flush(timeout:)`` and the transactional calls block: call them from a
/// thread you own, never from Swift's cooperative pool. Flush before releasing the last reference: deinit runs
/// `rd_kafka_destroy`, and reports still pending then are never delivered.
public final class KafkaProducer: @unchecked Sendable {
    /// librdkafka properties that this type sets unless the caller gives them.
    public static let defaultProperties: [String: String] = [
        // No duplicates or reordering on retries.
        "enable.idempotence": "true"
    ]

    let client: RDKafkaClient
    /// Topic handles from ``prepare(topics:timeout:)``, held until deinit so that librdkafka keeps their metadata.
    private let preparedTopics = Mutex<[TopicHandle]>([])

    /// An `rd_kafka_topic_t`; librdkafka's topic handles may be used from any thread.
    private struct TopicHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Creates a producer.
    ///
    /// - Parameters:
    ///   - properties: librdkafka properties (`bootstrap.servers`, `transactional.id`, … and any pass-through).
    ///     ``defaultProperties`` apply unless given.
    ///   - logger: Receives librdkafka's logs and errors, on the polling thread.
    ///   - deliveryReport: Called once per produced message, on the thread that polls.
    public init(
        properties: [String: String],
        logger: Logger,
        deliveryReport: @escaping (KafkaDeliveryReport) -> Void
    ) throws {
        self.client = try RDKafkaClient(
            type: RD_KAFKA_PRODUCER,
            properties: Self.defaultProperties.merging(properties) { _, given in given },
            callbacks: RDKafkaCallbacks(logger: logger, deliveryReport: deliveryReport)
        )
    }

    deinit {
        // Before `client` destroys the handle they belong to.
        preparedTopics.withLock { $0.forEach { rd_kafka_topic_destroy($0.pointer) } }
    }

    /// Learns the partitions and leaders of `topics` now. Without it the first message to a topic waits for
    /// librdkafka's periodic topic scan (up to a second) before its metadata is even requested.
    ///
    /// Throws ``KafkaError/Code/unknownTopic`` for a topic that does not exist; it never asks a broker to create one.
    public func prepare(topics: [String], timeout: Duration) throws {
        // Checked first: librdkafka's own lookup of a local topic names it, which lets a broker auto-create it.
        _ = try self.client.partitionCounts(of: topics, timeout: timeout)
        let handles = self.client.withHandle { rk in topics.compactMap { rd_kafka_topic_new(rk, $0, nil).map(TopicHandle.init) } }
        preparedTopics.withLock { $0 += handles }
        // An all-topics answer updates every local topic, the ones just made included.
        _ = try self.client.partitionCounts(of: topics, timeout: timeout)
    }

    /// Enqueues a message; its outcome arrives later as a ``KafkaDeliveryReport`` carrying `token`.
    ///
    /// - Parameters:
    ///   - partition: `nil` lets the configured partitioner choose (by key).
    ///   - key: `nil` is a NULL key, distinct from an empty one.
    ///   - value: `nil` is a NULL value (a tombstone), distinct from an empty one.
    ///   - timestamp: Milliseconds since the epoch; `nil` for now.
    /// When librdkafka's local queue is full, this serves delivery reports and retries until there is room.
    public func produce(
        topic: String,
        partition: Int32?,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        timestamp: Int64? = nil,
        token: UInt64
    ) throws {
        // librdkafka takes ownership of the header list only when produceva succeeds.
        let headerList = headers.isEmpty ? nil : Self.makeHeaderList(headers)
        let error = key.withKafkaBytes { key, keyCount in
            value.withKafkaBytes { value, valueCount in
                topic.withCString { topic in
                    // At most 8 arguments, on the stack: no allocation per message.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { arguments in
                        var count = 0
                        func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                            arguments.initializeElement(at: count, to: rd_kafka_vu_t(type, set))
                            count += 1
                        }
                        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? RD_KAFKA_PARTITION_UA }
                        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        // A NULL pointer makes a NULL key or value; see withKafkaBytes.
                        add(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = key; $0.u.mem.size = keyCount }
                        add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = value; $0.u.mem.size = valueCount }
                        // The token travels as the pointer-sized msg_opaque: no allocation.
                        add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(token)) }
                        if let timestamp {
                            add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp }
                        }
                        if let headerList {
                            add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headerList }
                        }
                        // rd_kafka_vu_t is a plain C struct: nothing to deinitialize.
                        return self.client.withHandle { Self.produce($0, UnsafeBufferPointer(rebasing: arguments[..<count])) }
                    }
                }
            }
        }
        if error != nil, let headerList {
            rd_kafka_headers_destroy(headerList)
        }
        try checkAndDestroy(error)
    }

    /// `rd_kafka_produceva`, serving delivery reports while the local queue is full. Returns the error, if any,
    /// which the caller owns.
    private static func produce(_ rk: OpaquePointer, _ arguments: UnsafeBufferPointer<rd_kafka_vu_t>) -> OpaquePointer? {
        while let error = rd_kafka_produceva(rk, arguments.baseAddress, arguments.count) {
            guard rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL else { return error }
            rd_kafka_error_destroy(error)
            rd_kafka_poll(rk, 100)
        }
        return nil
    }

    /// Copies the headers into a new `rd_kafka_headers_t`, owned by the caller.
    private static func makeHeaderList(_ headers: [KafkaHeader]) -> OpaquePointer {
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            header.value.withKafkaBytes { value, count in
                // Explicit sizes: neither is read up to a NUL. Adding only fails on a read-only list, not this one.
                _ = rd_kafka_header_add(list, header.name, header.name.utf8.count, value, count)
            }
        }
        return list
    }

    /// Serves delivery reports, logs and errors for up to `timeout`; returns the number of events served.
    @discardableResult
    public func poll(timeout: Duration = .zero) -> Int {
        Int(self.client.withHandle { rd_kafka_poll($0, timeout.kafkaMilliseconds) })
    }

    /// Waits up to `timeout` for every queued message to be delivered, serving their reports.
    /// Throws a ``KafkaError/Code/timedOut`` error if messages remain.
    public func flush(timeout: Duration) throws {
        let err = self.client.withHandle { rd_kafka_flush($0, timeout.kafkaMilliseconds) }
        if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
            throw KafkaError(err, message: "\(self.outstandingMessages) messages still queued after the flush timeout")
        }
        try check(err)
    }

    /// Messages (and requests) not yet delivered or failed, including reports not yet served.
    public var outstandingMessages: Int {
        Int(self.client.withHandle(rd_kafka_outq_len))
    }

    /// The number of partitions of `topic`. Throws ``KafkaError/Code/unknownTopic`` if it does not exist.
    public func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try self.client.partitionCount(topic: topic, timeout: timeout)
    }
}

extension rd_kafka_vu_t {
    /// One argument of `rd_kafka_produceva`: its type and the union field that `set` fills in.
    init(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
        self.init()
        self.vtype = type
        set(&self)
    }
}

extension Optional<[UInt8]> {
    /// Lends the bytes to C as `(pointer, count)`, the pointer being NULL exactly when `self` is `nil`: librdkafka
    /// tells a NULL key, value or header from an empty one by the pointer alone, and an empty array need not have
    /// an address.
    func withKafkaBytes<R>(_ body: (UnsafeMutableRawPointer?, Int) -> R) -> R {
        guard let bytes = self else {
            return body(nil, 0)
        }
        guard !bytes.isEmpty else {
            return withUnsafeTemporaryAllocation(byteCount: 1, alignment: 1) { body($0.baseAddress, 0) }
        }
        return bytes.withUnsafeBytes { body(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
    }
}
