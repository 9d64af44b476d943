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

    /// A produced message whose delivery report has not arrived: for the input `record`, or (with no record) for an
    /// input that came through the mailbox on behalf of `partition`; `pending` is nil for a dead letter.
    private struct InFlight {
        var record: KafkaMessage?
        var partition: KafkaTopicPartition
        var pending: Handler.Pending?
    }

    private let settings: Settings
    private let producer: any MessageProducer
    private let offsets: InputOffsets
    private let failure: StageFailure
    private let metrics: WorkerMetrics
    private let logger: Logger
    private var inFlight = InFlightTable<InFlight>()
    /// Records finished since the last ``flushFinished()``: their offsets are handed over in one go.
    private var finished: [KafkaMessage] = []
    /// Records taken by the shard and not finished.
    private(set) var heldCount = 0
    /// Set by the shard: sends an item to its mailbox from any thread.
    var sendToShard: @Sendable (Shard<Handler>.Item) -> Void = { _ in }

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
        try publish(output, for: record, partition: record.topicPartition, pending: pending)
    }

    /// Produces an output for an input that came through the mailbox rather than from a record (an action's result,
    /// say), on behalf of the input `partition` it belongs to: releasing that partition forgets it.
    func publish(_ output: StageOutput, onBehalfOf partition: KafkaTopicPartition, pending: Handler.Pending) throws {
        try publish(output, for: nil, partition: partition, pending: pending)
    }

    private func publish(_ output: StageOutput, for record: KafkaMessage?, partition: KafkaTopicPartition, pending: Handler.Pending) throws {
        let serial = inFlight.insert(InFlight(record: record, partition: partition, pending: pending))
        do {
            try producer.produce(
                topic: output.topic, partition: output.partition, key: output.key, value: output.value, headers: [],
                timestamp: nil, token: OutputToken(shard: settings.shard, serial: serial).rawValue)
        } catch {
            _ = inFlight.remove(serial)
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
        let serial = inFlight.insert(InFlight(record: record, partition: record.topicPartition, pending: nil))
        do {
            try producer.produce(
                topic: settings.deadLetterTopic, partition: nil, key: record.key, value: record.value,
                headers: record.deadLetterHeaders(for: rejection, worker: settings.workerID), timestamp: nil,
                token: OutputToken(shard: settings.shard, serial: serial).rawValue)
        } catch {
            _ = inFlight.remove(serial)
            failure.raise(StageError.deadLetterUndeliverable(record.topicPartition, offset: record.offset, error: error))
        }
        return .deadLettered
    }

    /// Dead-letters a record whose output could not be delivered.
    func publishFailed(_ record: KafkaMessage, _ error: any Error) -> RecordOutcome {
        deadLetter(record, Rejection(code: .publishFailed, message: "publishing the output failed: \(error)"))
    }

    /// Stops the stage: for what can neither be delivered nor dead-lettered without breaking a promise.
    func stopStage(_ error: StageError) {
        failure.raise(error)
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

    /// Runs a body on the shard's thread later, called from any thread: how an asynchronous result (an action's,
    /// say) comes back to the handler.
    var scheduler: @Sendable (@escaping @Sendable (Handler, ShardOutbox<Handler>) -> Void) -> Void {
        { [sendToShard] body in sendToShard(.perform(body)) }
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
        guard let entry = inFlight.remove(OutputToken(rawValue: report.token).serial) else { return }
        switch (entry.pending, report.error) {
        case (nil, nil):
            entry.record.map(finish)
        case (nil, let error?):
            failure.raise(StageError.deadLetterUndeliverable(entry.partition, offset: entry.record?.offset ?? -1, error: error))
        case (let pending?, nil):
            handler.delivered(pending, record: entry.record, outbox: self)
        case (_?, let error?) where report.mayBeWritten:
            // Neither retried nor dropped: a chain may have moved on in the topic. A restart reads what was written.
            failure.raise(StageError.outputMayBeWritten(entry.partition, offset: entry.record?.offset ?? -1, error: error))
        case (let pending?, let error?):
            logger.warning("output not delivered", metadata: [
                "kafka.topic": "\(entry.partition.topic)", "kafka.partition": "\(entry.partition.partition)",
                "kafka.offset": "\(entry.record.map { String($0.offset) } ?? "none")", "error": "\(error)",
            ])
            handler.failed(pending, record: entry.record, error: error, outbox: self)
        }
    }

    /// Forgets partitions this process no longer owns: their records in flight, and the `droppedByHandler`
    /// records the handler held back and dropped. A record is in flight or held back, never both.
    func release(_ partitions: Set<KafkaTopicPartition>, droppedByHandler: Int) {
        flushFinished()
        // Outputs produced for no record (an action result's receipts) hold no record either.
        let released = inFlight.removeAll { partitions.contains($0.partition) }.count { $0.record != nil }
        heldCount -= released + droppedByHandler
    }
}
