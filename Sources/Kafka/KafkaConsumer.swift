internal import CRdKafka
public import Logging
import Synchronization

/// A change of the consumer's partition assignment, reported before the partitions move.
public enum KafkaRebalanceEvent: Sendable {
    /// The partitions are about to be assigned to this consumer.
    case assign([KafkaTopicPartition])
    /// The partitions are about to be taken away. `lost` means they may already belong to another member
    /// (e.g. the session timed out): abort their work instead of committing it.
    case revoke([KafkaTopicPartition], lost: Bool)
}

/// A Kafka consumer over librdkafka: a consumer-group member (``subscribe(_:)``) or a reader of chosen partitions
/// (``assign(_:)``).
///
/// Threading contract:
/// - ``poll(maxMessages:timeout:)`` and ``close()`` serve librdkafka's callbacks (the rebalance closure, logs,
///   errors) on the calling thread. Call them from one thread at a time: the polling thread.
/// - Every other method is thread-safe (librdkafka locks internally) and may run while another thread polls.
/// - Calls that take a timeout, ``commit(_:synchronous:)`` and ``close()`` block: call them from a thread you
///   own, never from Swift's cooperative pool.
/// - Releasing the last reference runs `rd_kafka_destroy`, which closes the consumer first if ``close()`` was not
///   called (and so may block and call the rebalance closure): release it on a thread you own as well.
public final class KafkaConsumer: @unchecked Sendable {
    /// librdkafka properties that this type sets unless the caller gives them.
    public static let defaultProperties: [String: String] = [
        // cooperative-sticky is broken in librdkafka 2.0.2 (#4381).
        "partition.assignment.strategy": "range",
        // Offsets are stored explicitly, once their messages are processed.
        "enable.auto.offset.store": "false",
        "enable.partition.eof": "false",
    ]

    private let client: RDKafkaClient
    /// The consumer queue (`rd_kafka_queue_get_consumer`), ours to destroy: deinit does so before `client`
    /// destroys the handle.
    private let queue: OpaquePointer
    private let rebalanceHandler: RebalanceHandler
    private let logger: Logger
    private let isClosed = Atomic<Bool>(false)

    /// Creates a consumer.
    ///
    /// - Parameters:
    ///   - properties: librdkafka properties (`bootstrap.servers`, `group.id`, … and any pass-through such as TLS
    ///     or SASL). `group.id` is required, even for a reader that only calls ``assign(_:)`` (it then never joins
    ///     the group). ``defaultProperties`` apply unless given.
    ///   - logger: Receives librdkafka's logs and errors, on the polling thread.
    ///   - rebalance: Runs on the polling thread inside ``poll(maxMessages:timeout:)`` (or ``close()``) *before*
    ///     partitions move. On `.revoke`, drain and commit the partitions' work; the consumer unassigns them after
    ///     the closure returns. On `.assign`, restore their state; the consumer assigns them after it returns.
    public init(
        properties: [String: String],
        logger: Logger,
        rebalance: ((KafkaRebalanceEvent) -> Void)? = nil
    ) throws {
        var logger = logger
        logger[metadataKey: "kafka.group.id"] = properties["group.id"].map { .string($0) }
        let rebalanceHandler = RebalanceHandler(logger: logger, onEvent: rebalance)
        let client = try RDKafkaClient(
            type: RD_KAFKA_CONSUMER,
            properties: Self.defaultProperties.merging(properties) { _, given in given },
            callbacks: RDKafkaCallbacks(logger: logger, rebalance: rebalanceHandler)
        )
        // Forward the main queue (logs, errors) to the consumer queue, so that poll serves them too.
        try client.withHandle { rk in
            try check(rd_kafka_poll_set_consumer(rk), "A consumer needs a group.id")
        }
        // Non-NULL once the consumer has a group, checked just above. We own this queue handle.
        guard let queue = client.withHandle(rd_kafka_queue_get_consumer) else {
            throw KafkaError(code: .state, message: "The consumer has no consumer queue")
        }
        self.client = client
        self.queue = queue
        self.rebalanceHandler = rebalanceHandler
        self.logger = logger
    }

    deinit {
        rd_kafka_queue_destroy(self.queue)
    }

    /// Joins the consumer group for `topics`; partitions arrive through the rebalance closure.
    public func subscribe(_ topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(topics: topics)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_subscribe(rk, $0)) }
        }
    }

    /// Reads exactly these partitions, without group membership, starting at each offset (which may be one of
    /// ``KafkaOffset``'s logical offsets).
    public func assign(_ partitions: [KafkaTopicPartitionOffset]) throws {
        let list = RDKafkaTopicPartitionList(partitions)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_assign(rk, $0)) }
        }
    }

    /// Waits up to `timeout` for a message, then returns it with the messages already fetched behind it, up to
    /// `maxMessages` in all, serving callbacks meanwhile.
    ///
    /// Never returns a message of a partition revoked during this call. Consumer errors are logged (the end of a
    /// partition is ignored); a fatal error is thrown.
    public func poll(maxMessages: Int, timeout: Duration) throws -> [KafkaMessage] {
        precondition(maxMessages > 0, "maxMessages must be positive")
        return try withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self,
            capacity: maxMessages
        ) { batch in
            batch.initialize(repeating: nil)
            let count = self.rebalanceHandler.filling(batch) {
                // librdkafka's batch call waits until the batch is full or the timeout passed: wait for one message
                // only, then take what is already fetched, so that a quiet moment does not add the whole timeout.
                let first = rd_kafka_consume_batch_queue(self.queue, timeout.kafkaMilliseconds, batch.baseAddress, 1)
                guard first == 1, maxMessages > 1 else { return first }
                let rest = rd_kafka_consume_batch_queue(self.queue, 0, batch.baseAddress! + 1, maxMessages - 1)
                // An error here leaves the first message to return; the next poll reports it.
                return 1 + max(rest, 0)
            }
            guard count >= 0 else {
                throw KafkaError(rd_kafka_last_error())
            }
            let received = UnsafeMutableBufferPointer(rebasing: batch[..<count])
            // Every returned message is ours to destroy.
            defer {
                for case let message? in received {
                    rd_kafka_message_destroy(message)
                }
            }
            return try self.copyMessages(received)
        }
    }

    private func copyMessages(
        _ batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    ) throws -> [KafkaMessage] {
        var messages: [KafkaMessage] = []
        messages.reserveCapacity(batch.count)
        // A batch mostly holds few topics: convert each name once rather than once per message.
        var topic: (handle: OpaquePointer?, name: String) = (nil, "")
        for (index, message) in batch.enumerated() {
            guard let message else { continue }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                try self.handleConsumerError(message)
                continue
            }
            if message.pointee.rkt != topic.handle {
                topic = (message.pointee.rkt, String(cString: rd_kafka_topic_name(message.pointee.rkt)))
            }
            let partition = KafkaTopicPartition(topic: topic.name, partition: message.pointee.partition)
            if self.rebalanceHandler.isStale(partition, atBatchIndex: index) {
                continue
            }
            messages.append(KafkaMessage(copying: message, topic: topic.name))
        }
        return messages
    }

    private func handleConsumerError(_ message: UnsafePointer<rd_kafka_message_t>) throws {
        switch message.pointee.err {
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return
        case RD_KAFKA_RESP_ERR__FATAL:
            throw self.client.withHandle(KafkaError.init(fatalErrorOf:))
        default:
            // For an error, librdkafka puts its description in the payload.
            let error = KafkaError(message.pointee.err, message: String(cString: rd_kafka_message_errstr(message)))
            self.logger.warning("Consumer error", metadata: ["kafka.error": "\(error)"])
        }
    }

    /// Stores offsets for the next commit (explicit or `enable.auto.commit`). Each offset is the *next* offset to
    /// consume: the last processed one + 1.
    ///
    /// Throws a ``KafkaError/Code/state`` error for a partition that is no longer assigned.
    public func storeOffsets(_ offsets: [KafkaTopicPartitionOffset]) throws {
        let list = RDKafkaTopicPartitionList(offsets)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_offsets_store(rk, $0)) }
        }
        try list.checkElementErrors()
    }

    /// Commits `offsets` (each the next offset to consume), or with `nil` the offsets stored by
    /// ``storeOffsets(_:)``; having nothing stored to commit is not an error.
    ///
    /// A synchronous commit blocks until the broker answers. An asynchronous commit returns at once; its failure
    /// is only logged.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]? = nil, synchronous: Bool = true) throws {
        let list = offsets.map(RDKafkaTopicPartitionList.init)
        let isAsync: Int32 = synchronous ? 0 : 1
        let err = self.client.withHandle { rk in
            list?.withListPointer { rd_kafka_commit(rk, $0, isAsync) } ?? rd_kafka_commit(rk, nil, isAsync)
        }
        guard err != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        try check(err)
    }

    /// The group's committed offsets for `partitions`; ``KafkaOffset/invalid`` where none is committed.
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration) throws -> [KafkaTopicPartitionOffset]
    {
        let list = RDKafkaTopicPartitionList(partitions)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_committed(rk, $0, timeout.kafkaMilliseconds)) }
        }
        try list.checkElementErrors()
        return list.offsets
    }

    /// Moves the fetch position of an assigned partition; the next message returned is at `offset.offset`.
    public func seek(_ offset: KafkaTopicPartitionOffset, timeout: Duration) throws {
        let list = RDKafkaTopicPartitionList([offset])
        try self.client.withHandle { rk in
            try list.withListPointer {
                try checkAndDestroy(rd_kafka_seek_partitions(rk, $0, timeout.kafkaMilliseconds))
            }
        }
        try list.checkElementErrors()
    }

    /// Stops fetching from `partitions` (e.g. while their work queue is full) until ``resume(_:)``.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaTopicPartitionList(partitions)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_pause_partitions(rk, $0)) }
        }
        try list.checkElementErrors()
    }

    /// Restarts fetching from paused `partitions`.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        let list = RDKafkaTopicPartitionList(partitions)
        try self.client.withHandle { rk in
            try list.withListPointer { try check(rd_kafka_resume_partitions(rk, $0)) }
        }
        try list.checkElementErrors()
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws -> [KafkaTopicPartition] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try self.client.withHandle { try check(rd_kafka_assignment($0, &pointer)) }
        // On success librdkafka hands the list over to us.
        guard let pointer else { return [] }
        return RDKafkaTopicPartitionList(adopting: pointer).partitions
    }

    /// The next offset this consumer will return for each partition (last returned + 1);
    /// ``KafkaOffset/invalid`` where none was returned yet.
    public func positions(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList(partitions)
        // Never fails as a whole: a partition without a position gets RD_KAFKA_OFFSET_INVALID.
        _ = self.client.withHandle { rk in list.withListPointer { rd_kafka_position(rk, $0) } }
        return list.offsets
    }

    /// Asks the partition leader for the partition's low and high watermarks (oldest offset, next offset).
    public func queryWatermarks(_ partition: KafkaTopicPartition, timeout: Duration) throws -> (low: Int64, high: Int64)
    {
        var low: Int64 = 0
        var high: Int64 = 0
        try self.client.withHandle { rk in
            try check(
                rd_kafka_query_watermark_offsets(
                    rk,
                    partition.topic,
                    partition.partition,
                    &low,
                    &high,
                    timeout.kafkaMilliseconds
                )
            )
        }
        return (low, high)
    }

    /// The watermarks last seen in fetch responses, without a request; `nil` before the first fetch.
    /// `low` stays ``KafkaOffset/invalid`` unless `statistics.interval.ms` is set.
    public func cachedWatermarks(_ partition: KafkaTopicPartition) -> (low: Int64, high: Int64)? {
        var low = KafkaOffset.invalid
        var high = KafkaOffset.invalid
        let err = self.client.withHandle { rk in
            rd_kafka_get_watermark_offsets(rk, partition.topic, partition.partition, &low, &high)
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high != KafkaOffset.invalid else { return nil }
        return (low, high)
    }

    /// The number of partitions of `topic`. Throws ``KafkaError/Code/unknownTopic`` if it does not exist.
    public func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try self.client.partitionCount(topic: topic, timeout: timeout)
    }

    /// Leaves the group: revokes the assignment (calling the rebalance closure on this thread), commits if
    /// `enable.auto.commit` is on, and stops fetching. Idempotent. May block for long: bound it from outside.
    public func close() {
        guard !self.isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let err = self.client.withHandle(rd_kafka_consumer_close)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            self.logger.warning("Consumer close failed", metadata: ["kafka.error": "\(KafkaError(err))"])
        }
    }

    /// Lends the consumer's group metadata (`rd_kafka_consumer_group_metadata_t`) to a transactional call.
    func withGroupMetadata<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        guard let metadata = self.client.withHandle(rd_kafka_consumer_group_metadata) else {
            throw KafkaError(code: .state, message: "The consumer has no group metadata")
        }
        // Ours to destroy.
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        return try body(metadata)
    }
}
