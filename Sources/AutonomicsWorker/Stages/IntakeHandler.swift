import AutonomicsCore
import Kafka

/// The intake stage: decodes and validates raw events, resolves their tenant and re-publishes them keyed by tenant,
/// so that one tenant always lands on one partition of the tenant-events topic, whatever the input keying was.
/// Stateless: a record is finished when its tenant event (or its dead letter) is delivered.
final class IntakeHandler: ShardHandler {
    private let normalizer: Normalizer
    private let tenantEventsTopic: String
    private let metrics: WorkerMetrics
    private var consumedByFormat: [WorkerMetrics.EventFormat: Int] = [:]

    init(normalizer: Normalizer, tenantEventsTopic: String, metrics: WorkerMetrics) {
        self.normalizer = normalizer
        self.tenantEventsTopic = tenantEventsTopic
        self.metrics = metrics
    }

    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<IntakeHandler>) -> RecordOutcome {
        let origin = EventOrigin(topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp)
        switch normalizer.normalize(record.value, origin: origin, now: now) {
        case .success(let event):
            consumedByFormat[WorkerMetrics.EventFormat(event.format), default: 0] += 1
            let output = StageOutput(topic: tenantEventsTopic, partition: nil, key: Array(event.tenantID.utf8), value: event.encoded())
            do {
                try outbox.publish(output, for: record, pending: ())
                return .published
            } catch {
                return outbox.publishFailed(record, error)
            }
        case .failure(let rejection):
            consumedByFormat[.invalid, default: 0] += 1
            return outbox.deadLetter(record, rejection)
        }
    }

    func delivered(_ pending: Void, record: KafkaMessage?, outbox: ShardOutbox<IntakeHandler>) {
        record.map(outbox.finish)
    }

    func failed(_ pending: Void, record: KafkaMessage?, error: KafkaError, outbox: ShardOutbox<IntakeHandler>) {
        if let record { _ = outbox.publishFailed(record, error) }
    }

    func release(_ partitions: Set<KafkaTopicPartition>) -> Int { 0 }

    func endOfBatch() {
        for (format, count) in consumedByFormat {
            metrics.eventsConsumed(format: format, count: count)
        }
        consumedByFormat.removeAll(keepingCapacity: true)
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
