internal import CRdKafka
internal import Logging

/// Owns one `rd_kafka_t`: creates it from librdkafka properties with this module's callbacks, and destroys it in
/// deinit.
///
/// With `log.queue=true` and the log queue forwarded to the main queue, librdkafka's logs, errors and delivery
/// reports are served by whichever thread polls that queue (`rd_kafka_poll`, `rd_kafka_flush`, and for a consumer
/// the consumer queue the main queue is forwarded to), never by librdkafka's own threads.
final class RDKafkaClient {
    private let handle: OpaquePointer
    /// librdkafka's `opaque`, held by librdkafka unretained: this strong reference keeps it alive until deinit has
    /// destroyed the handle, after which no callback can run.
    private let callbacks: RDKafkaCallbacks

    /// - Parameter servesCallbacksOnPoll: `false` lets librdkafka call the log callback on its own threads, for a
    ///   handle that nobody polls (the mock cluster's).
    init(
        type: rd_kafka_type_t,
        properties: [String: String],
        callbacks: RDKafkaCallbacks,
        servesCallbacksOnPoll: Bool = true
    ) throws {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .invalidArgument, message: "Could not allocate a configuration")
        }
        do {
            var properties = properties
            if servesCallbacksOnPoll {
                // Not the caller's to change: the threading contract depends on it.
                properties["log.queue"] = "true"
            }
            for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
                let (result, reason) = withErrorString { rd_kafka_conf_set(conf, name, value, $0, $1) }
                guard result == RD_KAFKA_CONF_OK else {
                    throw KafkaError(code: .invalidArgument, message: reason)
                }
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        callbacks.install(on: conf, type: type)

        // rd_kafka_new takes ownership of the conf only when it succeeds.
        let (handle, reason) = withErrorString { rd_kafka_new(type, conf, $0, $1) }
        guard let handle else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .invalidArgument, message: reason)
        }
        if servesCallbacksOnPoll {
            // NULL: forward logs to the main queue, which the poll calls serve.
            rd_kafka_set_log_queue(handle, nil)
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    deinit {
        rd_kafka_destroy(self.handle)
    }

    /// Lends the handle to a C call; the pointer must not escape `body`.
    func withHandle<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try body(self.handle)
    }

    /// The number of partitions of `topic`, from cluster metadata.
    func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try partitionCounts(of: [topic], timeout: timeout)[0]
    }

    /// The number of partitions of each of `topics`, in order, from one metadata request.
    func partitionCounts(of topics: [String], timeout: Duration) throws -> [Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // Ask for all topics: naming one would let a producer's request auto-create it.
        try check(rd_kafka_metadata(self.handle, 1, nil, &metadata, timeout.kafkaMilliseconds))
        guard let metadata else { throw KafkaError(code: .unknownTopic) }
        // The metadata result is ours to destroy.
        defer { rd_kafka_metadata_destroy(metadata) }
        let entries = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        return try topics.map { topic in
            guard let entry = entries.first(where: { String(cString: $0.topic) == topic }) else {
                throw KafkaError(code: .unknownTopic, message: "Topic \(topic) does not exist")
            }
            try check(entry.err, "Topic \(topic): \(String(cString: rd_kafka_err2str(entry.err)))")
            return Int(entry.partition_cnt)
        }
    }
}

/// Calls a librdkafka function that explains failures through a `char *errstr, size_t errstr_size` pair, and
/// returns its result with the explanation (empty on success).
func withErrorString<R>(_ body: (UnsafeMutablePointer<CChar>, Int) -> R) -> (R, String) {
    let capacity = 512
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
        buffer.initialize(repeating: 0)
        let result = body(buffer.baseAddress!, capacity)
        return (result, String(cString: buffer.baseAddress!))
    }
}
