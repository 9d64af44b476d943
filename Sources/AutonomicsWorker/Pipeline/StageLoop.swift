import AutonomicsCore
import Kafka
import Logging
import Synchronization

/// The consume → handle → produce loop of one stage, run on a thread the stage owns.
///
/// At-least-once: an input offset is stored (and auto-committed by librdkafka) only once every record up to it has
/// been handled and its output delivered. On revoke the loop delivers everything in flight and commits before the
/// partitions move, so the next owner starts exactly where this one stopped.
///
/// Thread safety: built on one thread, then used only by the stage thread that calls `run` (librdkafka calls the
/// rebalance and delivery callbacks back on that thread, inside `poll`), hence the unchecked conformance.
final class StageLoop: @unchecked Sendable {
    struct Settings {
        var stage: WorkerMetrics.Stage
        var inputTopic: String
        var outputTopic: String
        var deadLetterTopic: String
        var workerID: String
        var maxBatch: Int
        var drainTimeout: Duration
        /// How long a poll waits for a first message when none is there: delivery reports are served at least this
        /// often.
        var pollTimeout: Duration = .milliseconds(5)
        /// How often finished offsets are handed to librdkafka, which commits them every `auto.commit.interval.ms`:
        /// storing after every small batch costs more than it gains. Revoke and shutdown store at once.
        var offsetStoreInterval: Duration = .milliseconds(100)
        var statusInterval: Duration = .seconds(1)
    }

    enum Failure: Error, CustomStringConvertible {
        case deadLetterUndeliverable(topic: String, partition: Int32, offset: Int64, error: KafkaError)
        case partitionsNotPrepared(any Error)
        case drainTimedOut(remaining: Int)

        var description: String {
            switch self {
            case .deadLetterUndeliverable(let topic, let partition, let offset, let error):
                "dead letter for \(topic)/\(partition)@\(offset) could not be delivered: \(error)"
            case .partitionsNotPrepared(let error):
                "could not prepare assigned partitions: \(error)"
            case .drainTimedOut(let remaining):
                "\(remaining) messages still undelivered at the drain deadline"
            }
        }
    }

    private let settings: Settings
    private let handler: any StageHandler
    private let metrics: WorkerMetrics
    private let readiness: WorkerReadiness
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let deliveries: DeliveryState
    private var consumer: KafkaConsumer!
    private var producer: KafkaProducer!
    /// Offsets already handed to librdkafka's offset store, per partition.
    private var storedOffsets: [Int32: Int64] = [:]
    /// An error raised inside the rebalance callback, rethrown by the loop after the poll returns.
    private var rebalanceFailure: (any Error)?
    private var assigned: [KafkaTopicPartition] = []

    var assignedCondition: String { "\(settings.stage.rawValue).assigned" }
    var brokerCondition: String { "\(settings.stage.rawValue).broker" }

    init(
        settings: Settings,
        consumerProperties: [String: String],
        producerProperties: [String: String],
        handler: any StageHandler,
        metrics: WorkerMetrics,
        readiness: WorkerReadiness,
        logger: Logger,
        now: @escaping @Sendable () -> Int64
    ) throws {
        self.settings = settings
        self.handler = handler
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
        self.now = now
        let deliveries = DeliveryState()
        self.deliveries = deliveries
        readiness.register(assignedCondition)
        readiness.register(brokerCondition)
        producer = try KafkaProducer(properties: producerProperties, logger: logger) { report in
            deliveries.record(report)
        }
        consumer = try KafkaConsumer(properties: consumerProperties, logger: logger) { [unowned self] event in
            self.rebalance(event)
        }
    }

    /// Runs until `stop` is requested, then drains and commits. Throws on failures that must stop the worker
    /// without committing (the records are then consumed again after a restart, nothing is lost).
    func run(until stop: StopSignal) throws {
        try consumer.subscribe([settings.inputTopic])
        checkBroker()
        var lastStatus = ContinuousClock.now
        var lastStore = ContinuousClock.now
        while !stop.isRequested {
            let batch = try consumer.poll(maxMessages: settings.maxBatch, timeout: settings.pollTimeout)
            if let failure = rebalanceFailure { throw failure }
            if !batch.isEmpty {
                try process(batch)
            }
            producer.poll()
            try settleDeliveries()
            let instant = ContinuousClock.now
            if instant - lastStore >= settings.offsetStoreInterval {
                lastStore = instant
                storeOffsets()
            }
            if instant - lastStatus >= settings.statusInterval {
                lastStatus = instant
                reportLag()
            }
        }
        try drain()
        consumer.close()
        logger.info("stage stopped", metadata: ["stage": "\(settings.stage.rawValue)"])
    }

    private func process(_ batch: [KafkaMessage]) throws {
        let started = ContinuousClock.now
        let outcomes = handler.handle(batch, now: now())
        var deadLettered: [String: Int] = [:]
        for (message, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .publish(let output):
                deliveries.begin(message)
                try producer.produce(
                    topic: output.topic, partition: output.partition, key: output.key, value: output.value,
                    headers: [], token: DeliveryToken(partition: message.partition, offset: message.offset, isDeadLetter: false).rawValue
                )
            case .deadLetter(let rejection):
                deliveries.begin(message)
                try sendToDeadLetters(message, rejection)
                deadLettered[rejection.code.rawValue, default: 0] += 1
            case .skip:
                deliveries.skip(message)
            }
        }
        for (code, count) in deadLettered {
            metrics.deadLettered(code: code, count: count)
        }
        metrics.recordBatch(stage: settings.stage, duration: ContinuousClock.now - started)
    }

    private func sendToDeadLetters(_ message: KafkaMessage, _ rejection: Rejection) throws {
        logger.debug("dead letter", metadata: [
            "kafka.topic": "\(message.topic)", "kafka.partition": "\(message.partition)",
            "kafka.offset": "\(message.offset)", "error.code": "\(rejection.code.rawValue)",
        ])
        try producer.produce(
            topic: settings.deadLetterTopic, partition: nil, key: message.key, value: message.value,
            headers: message.deadLetterHeaders(for: rejection, worker: settings.workerID),
            timestamp: nil,
            token: DeliveryToken(partition: message.partition, offset: message.offset, isDeadLetter: true).rawValue
        )
    }

    /// Routes failed deliveries: a failed output becomes a dead letter; a failed dead letter stops the stage.
    private func settleDeliveries() throws {
        for (token, error) in deliveries.takeFailures() {
            guard let message = deliveries.pending(token) else { continue }
            if token.isDeadLetter {
                throw Failure.deadLetterUndeliverable(
                    topic: message.topic, partition: message.partition, offset: message.offset, error: error)
            }
            let rejection = Rejection(code: .publishFailed, message: "publishing the output failed: \(error)")
            try sendToDeadLetters(message, rejection)
            metrics.deadLettered(code: rejection.code.rawValue, count: 1)
        }
    }

    private func storeOffsets() {
        var offsets: [KafkaTopicPartitionOffset] = []
        for (partition, offset) in deliveries.committableOffsets() where storedOffsets[partition] != offset {
            storedOffsets[partition] = offset
            offsets.append(KafkaTopicPartitionOffset(topic: settings.inputTopic, partition: partition, offset: offset))
        }
        guard !offsets.isEmpty else { return }
        do {
            try consumer.storeOffsets(offsets)
        } catch {
            // A partition revoked a moment ago refuses the store; its new owner resumes from the last commit.
            logger.warning("storing offsets failed", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers everything in flight, then commits; used on revoke and on shutdown.
    private func drain() throws {
        let deadline = ContinuousClock.now + settings.drainTimeout
        repeat {
            try? producer.flush(timeout: .milliseconds(100))
            try settleDeliveries()
        } while producer.outstandingMessages > 0 && ContinuousClock.now < deadline
        storeOffsets()
        guard producer.outstandingMessages == 0 else {
            throw Failure.drainTimedOut(remaining: producer.outstandingMessages)
        }
        do {
            try consumer.commit(nil, synchronous: true)
        } catch {
            // Nothing stored since the last commit, or a rebalance already in progress: the work is delivered either way.
            logger.info("commit skipped", metadata: ["stage": "\(settings.stage.rawValue)", "error": "\(error)"])
        }
    }

    private func rebalance(_ event: KafkaRebalanceEvent) {
        switch event {
        case .revoke(let partitions, let lost):
            // The Kafka layer logs the move itself, with the group (one per stage).
            do {
                if !lost { try drain() }
            } catch {
                rebalanceFailure = error
            }
            handler.release(partitions)
            for partition in partitions {
                deliveries.forget(partition.partition)
                storedOffsets[partition.partition] = nil
            }
            assigned.removeAll { partitions.contains($0) }
        case .assign(let partitions):
            do {
                try handler.prepare(partitions)
            } catch {
                rebalanceFailure = Failure.partitionsNotPrepared(error)
            }
            assigned = partitions
            readiness.set(assignedCondition, satisfied: true)
        }
    }

    private func reportLag() {
        for position in consumer.positions(assigned) where position.offset >= 0 {
            let partition = KafkaTopicPartition(topic: position.topic, partition: position.partition)
            if let watermarks = consumer.cachedWatermarks(partition), watermarks.high >= 0 {
                metrics.setConsumerLag(topic: position.topic, partition: Int(position.partition), lag: max(0, watermarks.high - position.offset))
            }
        }
    }

    private func checkBroker() {
        do {
            _ = try consumer.partitionCount(topic: settings.inputTopic, timeout: .seconds(10))
            try producer.prepare(topics: [settings.outputTopic, settings.deadLetterTopic], timeout: .seconds(10))
            readiness.set(brokerCondition, satisfied: true)
        } catch {
            readiness.set(brokerCondition, satisfied: false)
            logger.warning("broker check failed", metadata: ["stage": "\(settings.stage.rawValue)", "error": "\(error)"])
        }
    }
}

/// In-flight records per input partition, shared between the stage thread and the delivery-report callback.
///
/// librdkafka calls the delivery-report callback inside `poll`/`flush`/`produce`, which only the stage thread calls,
/// so all access happens on that one thread; the Mutex makes that assumption safe rather than merely documented.
private final class DeliveryState: Sendable {
    private struct State {
        var trackers: [Int32: OffsetTracker<KafkaMessage>] = [:]
        var failures: [(DeliveryToken, KafkaError)] = []
    }

    private let state = Mutex(State())

    func begin(_ message: KafkaMessage) {
        state.withLock { $0.trackers[message.partition, default: OffsetTracker()].begin(message.offset, pending: message) }
    }

    func skip(_ message: KafkaMessage) {
        state.withLock { $0.trackers[message.partition, default: OffsetTracker()].skip(message.offset) }
    }

    func record(_ report: KafkaDeliveryReport) {
        let token = DeliveryToken(rawValue: report.token)
        state.withLock { state in
            if let error = report.error {
                state.failures.append((token, error))
            } else {
                state.trackers[token.partition]?.finish(token.offset)
            }
        }
    }

    func takeFailures() -> [(DeliveryToken, KafkaError)] {
        state.withLock { state in
            defer { state.failures.removeAll() }
            return state.failures
        }
    }

    func pending(_ token: DeliveryToken) -> KafkaMessage? {
        state.withLock { $0.trackers[token.partition]?.pending(at: token.offset) }
    }

    func committableOffsets() -> [(Int32, Int64)] {
        state.withLock { state in
            state.trackers.compactMap { partition, tracker in tracker.committableOffset.map { (partition, $0) } }
        }
    }

    func forget(_ partition: Int32) {
        state.withLock { _ = $0.trackers.removeValue(forKey: partition) }
    }
}
