internal import CRdKafka

/// Transactions (KIP-98, with KIP-447 offsets), for a producer created with `transactional.id`.
///
/// Every call throws a ``KafkaError`` whose flags come from librdkafka's `rd_kafka_error_t` for that call:
/// ``KafkaError/isRetriable`` → call again; ``KafkaError/requiresAbort`` → ``abortTransaction(timeout:)``, rewind
/// the consumer to its committed offsets and redo the batch; ``KafkaError/isFatal`` → recreate the producer.
/// Each call serves delivery reports and logs on the calling thread.
extension KafkaProducer {
    /// Registers the `transactional.id` with its coordinator and fences older instances. Call once, first.
    public func initTransactions(timeout: Duration) throws {
        try self.client.withHandle { rk in
            try checkAndDestroy(rd_kafka_init_transactions(rk, timeout.kafkaMilliseconds))
        }
    }

    /// Starts a transaction: messages produced until it commits or aborts belong to it.
    public func beginTransaction() throws {
        try self.client.withHandle { rk in
            try checkAndDestroy(rd_kafka_begin_transaction(rk))
        }
    }

    /// Adds the consumer's progress to the transaction, so that it is committed atomically with its messages.
    /// Each offset is the next one to consume (last processed + 1).
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartitionOffset],
        consumer: KafkaConsumer,
        timeout: Duration
    ) throws {
        let list = RDKafkaTopicPartitionList(offsets)
        try consumer.withGroupMetadata { groupMetadata in
            try self.client.withHandle { rk in
                try list.withListPointer { offsets in
                    // librdkafka copies both the offsets and the group metadata.
                    try checkAndDestroy(
                        rd_kafka_send_offsets_to_transaction(rk, offsets, groupMetadata, timeout.kafkaMilliseconds)
                    )
                }
            }
        }
    }

    /// Flushes the transaction's messages and commits it.
    public func commitTransaction(timeout: Duration) throws {
        try self.client.withHandle { rk in
            try checkAndDestroy(rd_kafka_commit_transaction(rk, timeout.kafkaMilliseconds))
        }
    }

    /// Aborts the transaction: its messages are never shown to `read_committed` readers and its offsets are
    /// not committed.
    public func abortTransaction(timeout: Duration) throws {
        try self.client.withHandle { rk in
            try checkAndDestroy(rd_kafka_abort_transaction(rk, timeout.kafkaMilliseconds))
        }
    }
}
