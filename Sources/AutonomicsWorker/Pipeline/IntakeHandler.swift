import AutonomicsCore
import Kafka

/// The intake stage: decodes and validates raw events, resolves their tenant and re-publishes them keyed by tenant,
/// so that one tenant always lands on one partition of the tenant-events topic, whatever the input keying was.
/// Stateless: nothing to prepare or release on rebalance.
final class IntakeHandler: StageHandler {
    private let normalizer: Normalizer
    private let tenantEventsTopic: String
    private let metrics: WorkerMetrics

    init(normalizer: Normalizer, tenantEventsTopic: String, metrics: WorkerMetrics) {
        self.normalizer = normalizer
        self.tenantEventsTopic = tenantEventsTopic
        self.metrics = metrics
    }

    func prepare(_ partitions: [KafkaTopicPartition]) {}

    func release(_ partitions: [KafkaTopicPartition]) {}

    func handle(_ batch: [KafkaMessage], now: Int64) -> [StageOutcome] {
        var consumedByFormat: [WorkerMetrics.EventFormat: Int] = [:]
        let outcomes = batch.map { message -> StageOutcome in
            let origin = EventOrigin(
                topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp)
            switch normalizer.normalize(message.value, origin: origin, now: now) {
            case .success(let event):
                consumedByFormat[WorkerMetrics.EventFormat(event.format), default: 0] += 1
                return .publish(StageOutput(
                    topic: tenantEventsTopic, partition: nil, key: Array(event.tenantID.utf8), value: event.encoded()))
            case .failure(let rejection):
                consumedByFormat[.invalid, default: 0] += 1
                return .deadLetter(rejection)
            }
        }
        for (format, count) in consumedByFormat {
            metrics.eventsConsumed(format: format, count: count)
        }
        return outcomes
    }
}

extension WorkerMetrics.EventFormat {
    init(_ format: EventFormat) {
        switch format {
        case .signal: self = .signal
        case .marketplace: self = .marketplace
        case .monitoring: self = .monitoring
        }
    }
}
