import Metrics
import Synchronization

import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory

/// The worker's metrics, exported by the given Prometheus registry.
///
/// | Prometheus name | type | labels |
/// |---|---|---|
/// | `autonomics_events_consumed_total` | counter | `format` |
/// | `autonomics_receipts_total` | counter | |
/// | `autonomics_duplicates_total` | counter | |
/// | `autonomics_dlq_total` | counter | `code` |
/// | `autonomics_consumer_lag` | gauge, messages | `topic`, `partition` |
/// | `autonomics_batch_duration_seconds` | histogram | `stage` |
/// | `autonomics_shard_backlog` | gauge, records | `stage`, `shard` |
/// | `autonomics_paused_partitions` | gauge | `stage` |
/// | `autonomics_rebalances_total` | counter | `stage`, `kind` (`assigned`, `revoked`, `lost`) |
///
/// and the governors' (``GovernorMetrics``).
///
/// Every method takes a count, so the hot path calls each once per batch. The metric objects are
/// created through an explicit factory, never the global `MetricsSystem`, so that tests can each use
/// their own registry.
public final class WorkerMetrics: Sendable {
    /// How an input event was recognised.
    public enum EventFormat: String, Sendable, CaseIterable {
        /// A direct metric signal.
        case signal
        /// A Marketplace Procurement notification.
        case marketplace
        /// A Cloud Monitoring incident.
        case monitoring
        /// Not decodable as any of the above; dead-lettered.
        case invalid
    }

    /// A pipeline stage whose batches are timed.
    public enum Stage: String, Sendable, CaseIterable {
        /// Decode, normalize and repartition.
        case intake
        /// Dedup, govern and publish receipts.
        case governor
    }

    private struct TopicPartition: Hashable, Sendable {
        var topic: String
        var partition: Int
    }

    // Label sets known in advance are created up front, which also exports them at zero.
    private let eventsConsumedByFormat: [EventFormat: Counter]
    private let batchDurationByStage: [Stage: Timer]
    private let receipts: Counter
    private let duplicates: Counter
    private let deadLettersByCode: MetricCache<String, Counter>
    private let consumerLagByPartition: MetricCache<TopicPartition, Gauge>
    private let shardBacklog: MetricCache<StageShard, Gauge>
    private let pausedPartitionsByStage: [Stage: Gauge]
    private let rebalances: [StageRebalance: Counter]
    /// The governors' own.
    public let governor: GovernorMetrics
    /// Where other parts of the worker (the actuator) create their metrics in the same registry.
    let factory: any MetricsFactory

    /// How a stage's assignment changed.
    public enum Rebalance: String, Sendable, CaseIterable {
        case assigned, revoked, lost
    }

    private struct StageRebalance: Hashable, Sendable {
        var stage: Stage
        var kind: Rebalance
    }

    private struct StageShard: Hashable, Sendable {
        var stage: Stage
        var shard: Int
    }

    /// Registers the worker's metrics in `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        let factory = {
            var factory = PrometheusMetricsFactory(registry: registry)
            // A batch usually takes well under the factory's smallest default bucket (5 ms).
            factory.durationHistogramBuckets["autonomics_batch_duration_seconds"] = [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
                .seconds(5), .seconds(10),
            ]
            return factory
        }()
        self.eventsConsumedByFormat = Dictionary(
            uniqueKeysWithValues: EventFormat.allCases.map { format in
                let counter = Counter(
                    label: "autonomics_events_consumed_total",
                    dimensions: [("format", format.rawValue)],
                    factory: factory
                )
                return (format, counter)
            }
        )
        self.batchDurationByStage = Dictionary(
            uniqueKeysWithValues: Stage.allCases.map { stage in
                let timer = Timer(
                    label: "autonomics_batch_duration_seconds",
                    dimensions: [("stage", stage.rawValue)],
                    factory: factory
                )
                return (stage, timer)
            }
        )
        self.pausedPartitionsByStage = Dictionary(
            uniqueKeysWithValues: Stage.allCases.map { stage in
                (stage, Gauge(label: "autonomics_paused_partitions", dimensions: [("stage", stage.rawValue)], factory: factory))
            }
        )
        self.rebalances = Dictionary(
            uniqueKeysWithValues: Stage.allCases.flatMap { stage in
                Rebalance.allCases.map { kind in
                    let dimensions = [("stage", stage.rawValue), ("kind", kind.rawValue)]
                    return (StageRebalance(stage: stage, kind: kind), Counter(label: "autonomics_rebalances_total", dimensions: dimensions, factory: factory))
                }
            }
        )
        self.shardBacklog = MetricCache { key in
            let dimensions = [("stage", key.stage.rawValue), ("shard", String(key.shard))]
            return Gauge(label: "autonomics_shard_backlog", dimensions: dimensions, factory: factory)
        }
        self.receipts = Counter(label: "autonomics_receipts_total", factory: factory)
        self.duplicates = Counter(label: "autonomics_duplicates_total", factory: factory)
        self.governor = GovernorMetrics(factory: factory, receipts: receipts, duplicates: duplicates)
        self.factory = factory
        self.deadLettersByCode = MetricCache { code in
            Counter(label: "autonomics_dlq_total", dimensions: [("code", code)], factory: factory)
        }
        self.consumerLagByPartition = MetricCache { key in
            let dimensions = [("topic", key.topic), ("partition", String(key.partition))]
            return Gauge(label: "autonomics_consumer_lag", dimensions: dimensions, factory: factory)
        }
    }

    /// Counts events taken from the input topic.
    public func eventsConsumed(format: EventFormat, count: Int) {
        self.eventsConsumedByFormat[format]!.increment(by: count)
    }

    /// Counts receipts committed to the receipts topic.
    public func receiptsWritten(count: Int) {
        self.receipts.increment(by: count)
    }

    /// Counts events dropped because their id was in the tenant's dedup window.
    public func duplicatesSkipped(count: Int) {
        self.duplicates.increment(by: count)
    }

    /// Counts records written to the dead-letter topic, by stable error code.
    public func deadLettered(code: String, count: Int) {
        self.deadLettersByCode[code].increment(by: count)
    }

    /// Records how many messages a partition's committed offset is behind its high watermark.
    public func setConsumerLag(topic: String, partition: Int, lag: Int64) {
        self.consumerLagByPartition[TopicPartition(topic: topic, partition: partition)].record(lag)
    }

    /// Records how many records a shard has unfinished: queued, held back or in flight.
    public func setShardBacklog(stage: Stage, shard: Int, records: Int) {
        self.shardBacklog[StageShard(stage: stage, shard: shard)].record(records)
    }

    /// Counts a change of a stage's assignment.
    public func rebalanced(stage: Stage, kind: Rebalance) {
        self.rebalances[StageRebalance(stage: stage, kind: kind)]!.increment()
    }

    /// Records how many partitions a stage has paused because a shard is full.
    public func setPausedPartitions(stage: Stage, count: Int) {
        self.pausedPartitionsByStage[stage]!.record(count)
    }

    /// Records how long a stage took to process one batch.
    public func recordBatch(stage: Stage, duration: Duration) {
        self.batchDurationByStage[stage]!.record(duration: duration)
    }
}

/// One metric name's objects, one per label value, created on first use.
final class MetricCache<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let metrics = Mutex<[Key: Metric]>([:])
    private let make: @Sendable (Key) -> Metric

    init(make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    subscript(key: Key) -> Metric {
        self.metrics.withLock { metrics in
            if let metric = metrics[key] {
                return metric
            }
            let metric = self.make(key)
            metrics[key] = metric
            return metric
        }
    }
}
