import Kafka
import Synchronization

/// Every consumed record of a stage, per input topic and partition, from dispatch until it is finished (its output
/// or dead letter delivered, or nothing to deliver): the at-least-once commit point is the offset after the
/// longest finished prefix of each partition.
///
/// The polling thread begins records as it dispatches them, shard threads finish them; hence the lock.
final class InputOffsets: Sendable {
    private let trackers = Mutex<[KafkaTopicPartition: OffsetTracker]>([:])

    /// Registers dispatched records, in consumption order.
    func begin(_ records: [KafkaMessage]) {
        trackers.withLock { trackers in
            forEachRun(of: records) { partition, run in
                trackers[partition, default: OffsetTracker()].begin(run.lazy.map(\.offset))
            }
        }
    }

    /// Marks records finished. A record of a partition forgotten since (lost) is ignored.
    func finish(_ records: [KafkaMessage]) {
        trackers.withLock { trackers in
            forEachRun(of: records) { partition, run in
                trackers[partition]?.finish(run.lazy.map(\.offset))
            }
        }
    }

    /// Calls `body` with each run of consecutive records of one partition: a batch mostly holds long runs, and a
    /// tracker is looked up (hashing its topic) once a run rather than once a record.
    private func forEachRun(of records: [KafkaMessage], _ body: (KafkaTopicPartition, ArraySlice<KafkaMessage>) -> Void) {
        var start = records.startIndex
        while start < records.endIndex {
            let first = records[start]
            var end = start + 1
            while end < records.endIndex, records[end].partition == first.partition, records[end].topic == first.topic {
                end += 1
            }
            body(first.topicPartition, records[start..<end])
            start = end
        }
    }

    /// Records begun and not finished, in `partitions` or in all.
    func unfinished(in partitions: Set<KafkaTopicPartition>? = nil) -> Int {
        trackers.withLock { trackers in
            trackers.reduce(0) { sum, entry in
                partitions.map { $0.contains(entry.key) } == false ? sum : sum + entry.value.unfinishedCount
            }
        }
    }

    /// The offset to commit per partition: the one after the longest finished prefix.
    func committable(in partitions: Set<KafkaTopicPartition>? = nil) -> [KafkaTopicPartitionOffset] {
        trackers.withLock { trackers in
            trackers.compactMap { partition, tracker in
                guard partitions.map({ $0.contains(partition) }) != false, let offset = tracker.committableOffset else { return nil }
                return KafkaTopicPartitionOffset(topic: partition.topic, partition: partition.partition, offset: offset)
            }
        }
    }

    /// Forgets partitions this process no longer owns.
    func forget(_ partitions: Set<KafkaTopicPartition>) {
        trackers.withLock { trackers in partitions.forEach { trackers[$0] = nil } }
    }
}
