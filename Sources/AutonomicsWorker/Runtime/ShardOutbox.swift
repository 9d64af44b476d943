import AutonomicsCore
import Kafka
import Logging

/// Performs what a shard's handler decides: produces its outputs and dead letters, follows their delivery reports
/// back to the handler, and finishes records so that their offsets can be committed.
///
/// Used only on its shard's thread (the producer it shares is thread-safe).
final class ShardOutbox<Handler: ShardHandler> {
    struct Settings {
        var shard: Int
        var deadLetterTopic: String
        var workerID: String
    }

    /// A produced message whose delivery report has not arrived; `pending` is nil for a dead letter.
    private struct InFlight {
        var record: KafkaMessage
        var pending: Handler.Pending?
    }

    private let settings: Settings
    private let producer: any MessageProducer
    private let offsets: InputOffsets
    private let failure: StageFailure
    private let metrics: WorkerMetrics
    private let logger: Logger
    private var inFlight: [UInt64: InFlight] = [:]
    private var nextSerial: UInt64 = 0
    /// Records finished since the last ``flushFinished()``: their offsets are handed over in one go.
    private var finished: [KafkaMessage] = []
    /// Records taken by the shard and not finished.
    private(set) var heldCount = 0
    /// The shard this outbox serves, set by the stage once both exist; weak, as the shard owns the outbox.
    weak var shard: Shard<Handler>?

    init(settings: Settings, producer: any MessageProducer, offsets: InputOffsets, failure: StageFailure, metrics: WorkerMetrics, logger: Logger) {
        self.settings = settings
        self.producer = producer
        self.offsets = offsets
        self.failure = failure
        self.metrics = metrics
        self.logger = logger
    }

    /// Produces an output for `record`; ``ShardHandler/delivered(_:record:outbox:)`` or
    /// ``ShardHandler/failed(_:record:error:outbox:)`` follows with `pending`.
    /// - Throws: what librdkafka refuses at once (a message over `message.max.bytes`, say): nothing is in flight then.
    func publish(_ output: StageOutput, for record: KafkaMessage, pending: Handler.Pending) throws {
        let serial = take(InFlight(record: record, pending: pending))
        do {
            try producer.produce(
                topic: output.topic, partition: output.partition, key: output.key, value: output.value, headers: [],
                timestamp: nil, token: OutputToken(shard: settings.shard, serial: serial).rawValue)
        } catch {
            inFlight[serial] = nil
            throw error
        }
    }

    /// Sends `record`, byte-for-byte with its headers, to the dead-letter topic with the reason; the record
    /// finishes when the dead letter is delivered. A dead letter that cannot be delivered stops the stage: the record
    /// is then consumed again after a restart, never skipped.
    func deadLetter(_ record: KafkaMessage, _ rejection: Rejection) -> RecordOutcome {
        logger.debug("dead letter", metadata: [
            "kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)",
            "kafka.offset": "\(record.offset)", "error.code": "\(rejection.code.rawValue)",
        ])
        metrics.deadLettered(code: rejection.code.rawValue, count: 1)
        let serial = take(InFlight(record: record, pending: nil))
        do {
            try producer.produce(
                topic: settings.deadLetterTopic, partition: nil, key: record.key, value: record.value,
                headers: record.deadLetterHeaders(for: rejection, worker: settings.workerID), timestamp: nil,
                token: OutputToken(shard: settings.shard, serial: serial).rawValue)
        } catch {
            inFlight[serial] = nil
            failure.raise(StageError.deadLetterUndeliverable(record.topicPartition, offset: record.offset, error: error))
        }
        return .deadLettered
    }

    /// Dead-letters a record whose output could not be delivered.
    func publishFailed(_ record: KafkaMessage, _ error: any Error) -> RecordOutcome {
        deadLetter(record, Rejection(code: .publishFailed, message: "publishing the output failed: \(error)"))
    }

    /// Marks a record finished: its offset may be committed once those before it are finished too.
    func finish(_ record: KafkaMessage) {
        heldCount -= 1
        finished.append(record)
    }

    /// Hands the offsets of the records finished since the last call to the commit tracker.
    func flushFinished() {
        guard !finished.isEmpty else { return }
        offsets.finish(finished)
        finished.removeAll(keepingCapacity: true)
    }

    /// Finishes a record now if the handler said so.
    func settle(_ record: KafkaMessage, _ outcome: RecordOutcome) {
        if case .finished = outcome { finish(record) }
    }

    /// Counts a record the shard has taken from its mailbox.
    func hold(_ record: KafkaMessage) {
        heldCount += 1
    }

    /// Routes a delivery report to the handler, or finishes a dead-lettered record.
    func settle(_ report: KafkaDeliveryReport, handler: Handler) {
        // A report for a partition released meanwhile finds nothing.
        guard let entry = inFlight.removeValue(forKey: OutputToken(rawValue: report.token).serial) else { return }
        switch (entry.pending, report.error) {
        case (nil, nil):
            finish(entry.record)
        case (nil, let error?):
            failure.raise(StageError.deadLetterUndeliverable(entry.record.topicPartition, offset: entry.record.offset, error: error))
        case (let pending?, nil):
            handler.delivered(pending, record: entry.record, outbox: self)
        case (let pending?, let error?):
            logger.warning("output not delivered", metadata: [
                "kafka.topic": "\(entry.record.topic)", "kafka.partition": "\(entry.record.partition)",
                "kafka.offset": "\(entry.record.offset)", "error": "\(error)",
            ])
            handler.failed(pending, record: entry.record, error: error, outbox: self)
        }
    }

    /// The way back onto this shard's thread for work finished on another (an HTTP answer): what is posted runs
    /// there, in mailbox order, with the handler and this outbox. Posts after the stage stopped go nowhere.
    func returnAddress() -> @Sendable (@escaping @Sendable (Handler, ShardOutbox<Handler>) -> Void) -> Void {
        { [weak shard = self.shard] body in shard?.postFromAnyThread(.perform(body)) }
    }

    /// Forgets partitions this process no longer owns: their records in flight, and the `droppedByHandler`
    /// records the handler held back and dropped. A record is in flight or held back, never both.
    func release(_ partitions: Set<KafkaTopicPartition>, droppedByHandler: Int) {
        flushFinished()
        let kept = inFlight.filter { !partitions.contains($0.value.record.topicPartition) }
        heldCount -= inFlight.count - kept.count + droppedByHandler
        inFlight = kept
    }

    private func take(_ entry: InFlight) -> UInt64 {
        nextSerial &+= 1
        inFlight[nextSerial] = entry
        return nextSerial
    }
}
