internal import CRdKafka
internal import Logging

extension KafkaConsumer {
    /// Runs the eager rebalance protocol from librdkafka's rebalance callback: the caller's closure first, then
    /// `rd_kafka_assign`.
    ///
    /// librdkafka serves that callback inside `rd_kafka_consume_batch_queue` (and `rd_kafka_consumer_close`,
    /// `rd_kafka_destroy`), on the polling thread, which is the only thread touching this object's state.
    /// A revocation can land in the middle of a batch, after messages of the revoked partitions were already put
    /// into it; librdkafka 2.0.2 does not take them back, so this records how full the batch was at each
    /// revocation and ``KafkaConsumer/poll(maxMessages:timeout:)`` drops those messages.
    final class RebalanceHandler {
        private let logger: Logger
        private let onEvent: ((KafkaRebalanceEvent) -> Void)?
        /// The batch that the current `rd_kafka_consume_batch_queue` fills in order, if one is running.
        private var batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>?
        /// Revocations during the current batch: the partitions, and how many messages the batch held by then.
        private var revocations: [(partitions: Set<KafkaTopicPartition>, batchCount: Int)] = []

        init(logger: Logger, onEvent: ((KafkaRebalanceEvent) -> Void)?) {
            self.logger = logger
            self.onEvent = onEvent
        }

        /// Runs `consume`, which fills `batch`, recording the revocations it serves.
        func filling<R>(
            _ batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>,
            consume: () -> R
        ) -> R {
            self.revocations.removeAll()
            self.batch = batch
            defer { self.batch = nil }
            return consume()
        }

        /// Whether the batch's message at `index`, of `partition`, was put there before the partition was revoked.
        func isStale(_ partition: KafkaTopicPartition, atBatchIndex index: Int) -> Bool {
            self.revocations.contains { index < $0.batchCount && $0.partitions.contains(partition) }
        }

        func handle(
            rk: OpaquePointer,
            event: rd_kafka_resp_err_t,
            partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        ) {
            let list = partitions.map { RDKafkaTopicPartitionList.partitions(in: $0) } ?? []
            switch event {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                self.logger.info("Partitions assigned", metadata: ["kafka.partitions": "\(list)"])
                self.onEvent?(.assign(list))
                self.assign(rk, partitions)
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                let lost = rd_kafka_assignment_lost(rk) != 0
                self.logger.info(
                    lost ? "Partitions lost" : "Partitions revoked",
                    metadata: ["kafka.partitions": "\(list)"]
                )
                if let batch = self.batch {
                    // The batch is filled from the front: its first NULL slot is its current count.
                    let count = batch.firstIndex { $0 == nil } ?? batch.count
                    self.revocations.append((Set(list), count))
                }
                self.onEvent?(.revoke(list, lost: lost))
                self.assign(rk, nil)
            default:
                // A failed rebalance (librdkafka passes the error as the event): drop the assignment, as
                // librdkafka requires, and let the group retry.
                self.logger.error("Rebalance failed", metadata: ["kafka.error": "\(KafkaError(event))"])
                self.assign(rk, nil)
            }
        }

        /// `rd_kafka_assign` with NULL unassigns. librdkafka copies the list; the callback's list stays its own.
        private func assign(_ rk: OpaquePointer, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
            let err = rd_kafka_assign(rk, partitions)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                self.logger.error("Assignment failed", metadata: ["kafka.error": "\(KafkaError(err))"])
            }
        }
    }
}
