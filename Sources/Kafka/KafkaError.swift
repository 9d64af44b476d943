internal import CRdKafka

/// An error reported by librdkafka, classified for the caller.
///
/// Decide what to do from the flags, never from ``message``:
/// - ``isFatal``: the client is unusable; destroy it and create a new one.
/// - ``requiresAbort``: the current transaction must be aborted (``KafkaProducer/abortTransaction(timeout:)``),
///   the input rewound to the committed offsets and the batch redone.
/// - ``isRetriable``: the same call may succeed if repeated.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`): negative for local errors, positive for broker errors.
    public var code: Code
    /// A human-readable explanation, for logs only.
    public var message: String
    /// Repeating the failed call may succeed.
    public var isRetriable: Bool
    /// The client instance is unusable and must be recreated.
    public var isFatal: Bool
    /// The current transaction can no longer commit and must be aborted.
    public var requiresAbort: Bool

    /// Creates an error classified from its code alone.
    ///
    /// `isFatal` and `isRetriable` follow librdkafka's and Kafka's meaning of each code; `requiresAbort` is only
    /// ever known from a transactional call, so it starts `false`. Each flag can be set afterwards.
    /// - Parameter message: Defaults to librdkafka's description of `code`.
    public init(code: Code, message: String? = nil) {
        self.code = code
        self.message = message ?? String(cString: rd_kafka_err2str(code.rdValue))
        self.isRetriable = code.isRetriable
        self.isFatal = code.isFatal
        self.requiresAbort = false
    }

    public var description: String {
        var flags: [String] = []
        if self.isFatal { flags.append("fatal") }
        if self.requiresAbort { flags.append("requires abort") }
        if self.isRetriable { flags.append("retriable") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "KafkaError(\(self.code)): \(self.message)\(suffix)"
    }
}

extension KafkaError {
    /// A librdkafka error code (`rd_kafka_resp_err_t`). Open: any raw value is valid, the constants name the ones
    /// this module and its callers act on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// librdkafka's symbolic name, e.g. `_TRANSPORT` or `REBALANCE_IN_PROGRESS`.
        public var description: String {
            String(cString: rd_kafka_err2name(self.rdValue))
        }

        // Local errors, raised by librdkafka itself.
        /// Broker transport failure (a disconnect).
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// A message was not delivered within `message.timeout.ms`.
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// The consumer reached the end of a partition.
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        /// The partition is not known in the cluster.
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// The topic is not known in the cluster.
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// No broker is reachable.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// An argument or configuration value is invalid.
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// The operation did not finish within its timeout.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// The producer's local queue is full.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// The operation is not valid in the client's current state (e.g. an unassigned partition).
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// There was no offset to commit.
        public static let noOffset = Code(RD_KAFKA_RESP_ERR__NO_OFFSET)
        /// A fatal error was raised; the client must be recreated.
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// The producer instance was fenced by a newer one with the same `transactional.id`.
        public static let fenced = Code(RD_KAFKA_RESP_ERR__FENCED)
        /// The partition assignment was lost (e.g. the session timed out) rather than revoked.
        public static let assignmentLost = Code(RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST)

        // Broker errors.
        /// The requested offset is outside the partition's range.
        public static let offsetOutOfRange = Code(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        /// The group coordinator no longer knows this member: its assignment is lost and it rejoins.
        public static let unknownMemberID = Code(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID)
        /// The broker does not know the topic or partition.
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// No leader is currently elected for the partition.
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        /// The broker is not the partition's leader.
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// The broker timed out the request.
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// The message is larger than the broker or topic accepts: permanent for that message.
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// The broker's connection failed.
        public static let networkException = Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION)
        /// The group or transaction coordinator is loading.
        public static let coordinatorLoadInProgress = Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS)
        /// The group or transaction coordinator is not available.
        public static let coordinatorNotAvailable = Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
        /// The broker is not the coordinator.
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        /// Too few in-sync replicas.
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// The group is rebalancing (a commit is rejected during a join).
        public static let rebalanceInProgress = Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
        /// Authorization to the topic failed.
        public static let topicAuthorizationFailed = Code(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
        /// The producer epoch is stale.
        public static let invalidProducerEpoch = Code(RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
        /// Another transaction on the same `transactional.id` is still completing.
        public static let concurrentTransactions = Code(RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS)
        /// The broker fenced this producer (a newer instance with the same `transactional.id` exists).
        public static let producerFenced = Code(RD_KAFKA_RESP_ERR_PRODUCER_FENCED)

        /// Kafka's retriable protocol errors plus librdkafka's transient local ones.
        private static let retriable: Set<Code> = [
            .transport, .messageTimedOut, .allBrokersDown, .timedOut, .queueFull,
            .leaderNotAvailable, .notLeaderForPartition, .requestTimedOut, .networkException,
            .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator, .notEnoughReplicas,
            .concurrentTransactions,
        ]

        /// Codes after which the client can never succeed again.
        private static let fatalCodes: Set<Code> = [.fatal, .fenced, .producerFenced]

        var isRetriable: Bool { Self.retriable.contains(self) }
        var isFatal: Bool { Self.fatalCodes.contains(self) }
    }
}

// MARK: - Bridging from librdkafka

extension KafkaError.Code {
    init(_ err: rd_kafka_resp_err_t) {
        self.init(rawValue: err.rawValue)
    }

    var rdValue: rd_kafka_resp_err_t {
        rd_kafka_resp_err_t(rawValue: self.rawValue)
    }
}

extension KafkaError {
    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: Code(err), message: message)
    }

    /// Reads a `rd_kafka_error_t`, whose flags librdkafka sets for the call that failed.
    /// Does not take ownership: see ``checkAndDestroy(_:)``.
    init(borrowing error: OpaquePointer) {
        self.init(code: Code(rd_kafka_error_code(error)), message: String(cString: rd_kafka_error_string(error)))
        self.isRetriable = rd_kafka_error_is_retriable(error) != 0
        self.isFatal = rd_kafka_error_is_fatal(error) != 0
        self.requiresAbort = rd_kafka_error_txn_requires_abort(error) != 0
    }
}

/// Throws unless `err` is `RD_KAFKA_RESP_ERR_NO_ERROR`.
func check(_ err: rd_kafka_resp_err_t, _ message: @autoclosure () -> String? = nil) throws {
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
        throw KafkaError(err, message: message())
    }
}

/// Consumes a `rd_kafka_error_t *` returned by librdkafka (NULL means success): the caller owns it and must
/// destroy it, which this does before throwing.
func checkAndDestroy(_ error: OpaquePointer?) throws {
    guard let error else { return }
    defer { rd_kafka_error_destroy(error) }
    throw KafkaError(borrowing: error)
}
