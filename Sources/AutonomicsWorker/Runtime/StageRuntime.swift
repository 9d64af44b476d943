import AutonomicsCore
import Foundation
import Kafka
import Logging
import Synchronization

/// One pipeline stage: a polling thread that consumes its input topics and dispatches each record to one of its
/// shards, the shards (serial executors, each on its own thread), and the at-least-once commit: an input offset is
/// stored (and auto-committed by librdkafka) only once every record up to it is finished.
///
/// The polling thread owns the consumer: rebalances, pause and resume, offsets, and the routing of delivery reports
/// to the shards that produced the messages. A shard whose backlog reaches ``StageSettings/shardCapacity`` pauses every
/// assigned partition until all shards are down to half of it, so memory stays bounded under any backlog. On revoke
/// and on shutdown the stage finishes everything dispatched and commits before the partitions move.
///
/// Thread safety: built on one thread, then used by the polling thread that calls `run` (librdkafka calls the
/// rebalance callback back on that thread, inside `poll`); shards are reached only through their mailboxes.
final class StageRuntime<Handler: ShardHandler>: @unchecked Sendable {
    /// What a stage does when partitions are assigned, before their records are dispatched: restore state and
    /// hand it to the shards (through their mailboxes, so it arrives before the records).
    typealias Prepare = ([KafkaTopicPartition], [Shard<Handler>]) throws -> Void

    private let settings: StageSettings
    private let shards: [Shard<Handler>]
    private let route: (KafkaMessage) -> Int
    private let prepare: Prepare
    private let metrics: WorkerMetrics
    private let readiness: WorkerReadiness
    private let budget: ShutdownBudget
    private let logger: Logger
    private let offsets: InputOffsets
    private let failure: StageFailure
    private let reports: DeliveryReports
    private let producer: KafkaProducer
    private var consumer: KafkaConsumer!
    private var assigned: Set<KafkaTopicPartition> = []
    private var stored: [KafkaTopicPartition: Int64] = [:]
    private var backpressure: Backpressure
    /// Set once the stage closes (done or failed): the revoke that closing the consumer brings then neither drains,
    /// commits nor waits for the shards, which have stopped.
    private var isClosing = false

    var assignedCondition: String { "\(settings.stage.rawValue).assigned" }

    /// Deadlines and intervals are measured with the shutdown budget's clock.
    private var clock: any RuntimeClock { budget.clock }

    /// Each shard's unfinished records; readable from any thread.
    var shardBacklogs: [Int] { shards.map(\.backlog) }

    /// - Parameters:
    ///   - makeHandler: the handler of shard `index`.
    ///   - route: the shard of a record, in `0..<settings.shards`.
    init(
        settings: StageSettings,
        consumerProperties: [String: String],
        producerProperties: [String: String],
        makeHandler: (Int) -> Handler,
        route: @escaping (KafkaMessage) -> Int,
        prepare: @escaping Prepare = { _, _ in },
        metrics: WorkerMetrics,
        readiness: WorkerReadiness,
        budget: ShutdownBudget,
        logger: Logger,
        now: @escaping @Sendable () -> Int64
    ) throws {
        precondition((1...OutputToken.maximumShards).contains(settings.shards), "shards must be in 1...\(OutputToken.maximumShards)")
        self.settings = settings
        backpressure = Backpressure(capacity: settings.shardCapacity)
        self.route = route
        self.prepare = prepare
        self.metrics = metrics
        self.readiness = readiness
        self.budget = budget
        self.logger = logger
        let (offsets, failure, reports) = (InputOffsets(), StageFailure(), DeliveryReports())
        self.offsets = offsets
        self.failure = failure
        self.reports = reports
        let producer = try KafkaProducer(properties: producerProperties, logger: logger) { reports.append($0) }
        self.producer = producer
        shards = (0..<settings.shards).map { index in
            let outbox = ShardOutbox<Handler>(
                settings: .init(shard: index, deadLetterTopic: settings.deadLetterTopic, workerID: settings.workerID),
                producer: producer, offsets: offsets, failure: failure, metrics: metrics, logger: logger)
            return Shard(
                index: index, isInline: settings.shards == 1, handler: makeHandler(index), outbox: outbox,
                stage: settings.stage, metrics: metrics, now: now)
        }
        readiness.register(assignedCondition)
        // Weak: the consumer outlives a stage that failed before closing it; its last revoke then finds no stage.
        consumer = try KafkaConsumer(properties: consumerProperties, logger: logger) { [weak self] event in
            self?.rebalance(event)
        }
    }

    /// Runs until `stop` is requested, then finishes what was dispatched, commits and closes, within the shutdown
    /// budget. Throws on failures that must stop the worker without committing (the records are then consumed
    /// again after a restart, nothing is lost); the clients are closed first, within the budget too.
    func run(until stop: StopSignal) throws {
        for shard in shards {
            shard.start(name: "\(settings.stage.rawValue)-\(shard.index)")
        }
        do {
            try consumer.subscribe(settings.inputTopics)
            try producer.prepare(topics: settings.outputTopics, timeout: .seconds(10))
            try poll(until: stop)
            try drain(assigned, deadline: budget.deadline())
        } catch {
            logger.error("stage failed", metadata: ["stage": "\(settings.stage.rawValue)", "error": "\(error)"])
            close()
            throw error
        }
        close()
        logger.info("stage stopped", metadata: ["stage": "\(settings.stage.rawValue)"])
    }

    private func poll(until stop: StopSignal) throws {
        var lastStatus = clock.now
        var lastStore = clock.now
        while !stop.isRequested {
            let batch = try consumer.poll(maxMessages: settings.maxBatch, timeout: settings.pollTimeout)
            try failure.check()
            if !batch.isEmpty {
                dispatch(batch)
            }
            producer.poll()
            routeDeliveryReports()
            runSent()
            applyBackpressure()
            let instant = clock.now
            if instant - lastStore >= settings.offsetStoreInterval {
                lastStore = instant
                storeOffsets()
            }
            if instant - lastStatus >= settings.statusInterval {
                lastStatus = instant
                reportStatus()
            }
        }
    }

    private func dispatch(_ batch: [KafkaMessage]) {
        offsets.begin(batch)
        guard shards.count > 1 else {
            shards[0].post(batch)
            return
        }
        var perShard = Array(repeating: [KafkaMessage](), count: shards.count)
        for record in batch {
            perShard[route(record)].append(record)
        }
        for (shard, records) in zip(shards, perShard) where !records.isEmpty {
            shard.post(records)
        }
    }

    private func routeDeliveryReports() {
        let taken = reports.takeAll()
        guard !taken.isEmpty else { return }
        guard shards.count > 1 else {
            shards[0].post(.deliveries(taken))
            return
        }
        var perShard = Array(repeating: [KafkaDeliveryReport](), count: shards.count)
        for report in taken {
            let shard = OutputToken(rawValue: report.token).shard
            if perShard.indices.contains(shard) { perShard[shard].append(report) }
        }
        for (shard, reports) in zip(shards, perShard) where !reports.isEmpty {
            shard.post(.deliveries(reports))
        }
    }

    /// Has an inline shard run what other threads sent it (a shard with a thread runs that itself).
    private func runSent() {
        for shard in shards {
            shard.runSent()
        }
    }

    /// Asks shard `index` a question on its own thread, after what was posted before; nil when the shard does not
    /// answer within `timeout` (the stage has stopped, say).
    func ask<Answer: Sendable>(
        shard index: Int, timeout: Duration = .seconds(2), _ question: @escaping @Sendable (Handler) -> Answer?
    ) async -> Answer? {
        let shard = shards[index]
        return await withCheckedContinuation { continuation in
            let reply = Reply(continuation)
            shard.send(.perform { handler, _ in reply.resume(with: question(handler)) })
            Task {
                try? await Task.sleep(for: timeout)
                reply.resume(with: nil)
            }
        }
    }

    /// Resumes a question's continuation once: with the shard's answer, or nil at the timeout, whichever is first.
    private final class Reply<Answer: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Answer?, Never>?>

        init(_ continuation: CheckedContinuation<Answer?, Never>) {
            self.continuation = Mutex(continuation)
        }

        func resume(with answer: Answer?) {
            continuation.withLock { continuation in
                continuation?.resume(returning: answer)
                continuation = nil
            }
        }
    }

    /// Pauses every assigned partition when a shard is full; resumes when every shard is down to half.
    private func applyBackpressure() {
        let backlogs = shardBacklogs
        guard let change = backpressure.change(for: backlogs) else { return }
        let partitions = Array(assigned)
        do {
            switch change {
            case .pause: try consumer.pause(partitions)
            case .resume: try consumer.resume(partitions)
            }
            backpressure.applied(change)
            metrics.setPausedPartitions(stage: settings.stage, count: change == .pause ? partitions.count : 0)
            logger.info(change == .pause ? "partitions paused" : "partitions resumed", metadata: [
                "stage": "\(settings.stage.rawValue)", "shard.backlogs": "\(backlogs)",
            ])
        } catch {
            logger.warning("pause or resume failed", metadata: ["stage": "\(settings.stage.rawValue)", "error": "\(error)"])
        }
    }

    private func storeOffsets(_ partitions: Set<KafkaTopicPartition>? = nil) {
        let finished = offsets.committable(in: partitions).filter { stored[$0.topicPartition] != $0.offset }
        guard !finished.isEmpty else { return }
        for offset in finished {
            stored[offset.topicPartition] = offset.offset
        }
        do {
            try consumer.storeOffsets(finished)
        } catch {
            // A partition revoked a moment ago refuses the store; its new owner resumes from the last commit.
            logger.warning("storing offsets failed", metadata: ["error": "\(error)"])
        }
    }

    /// Finishes every dispatched record of `partitions` (shards keep working; this thread routes their delivery
    /// reports), then commits them.
    private func drain(_ partitions: Set<KafkaTopicPartition>, deadline: ContinuousClock.Instant) throws {
        while offsets.unfinished(in: partitions) > 0 && clock.now < deadline {
            producer.poll(timeout: .milliseconds(10))
            routeDeliveryReports()
            // Answers that finish held-back records (an inline shard's lookups) arrive this way too.
            runSent()
            try failure.check()
        }
        storeOffsets(partitions)
        let unfinished = offsets.unfinished(in: partitions)
        guard unfinished == 0 else { throw StageError.drainTimedOut(unfinished: unfinished) }
        do {
            try consumer.commit(nil, synchronous: true)
        } catch {
            // Nothing stored since the last commit, or a rebalance already in progress: the work is finished either way.
            logger.info("commit skipped", metadata: ["stage": "\(settings.stage.rawValue)", "error": "\(error)"])
        }
    }

    private func rebalance(_ event: KafkaRebalanceEvent) {
        switch event {
        case .revoke(let list, let lost):
            let partitions = Set(list)
            readiness.set(assignedCondition, satisfied: false)
            metrics.rebalanced(stage: settings.stage, kind: lost ? .lost : .revoked)
            assigned.subtract(partitions)
            guard !isClosing else { return }
            if !lost {
                do {
                    try drain(partitions, deadline: clock.now + settings.drainTimeout)
                } catch {
                    failure.raise(error)
                }
            }
            release(partitions)
            // Outputs already produced may still land (after a lost assignment, or ones produced for no record, such
            // as an action result's receipts); let them, so that whoever restores these partitions next reads every
            // receipt this process wrote and no chain forks.
            try? producer.flush(timeout: settings.drainTimeout)
            offsets.forget(partitions)
            for partition in partitions { stored[partition] = nil }
            backpressure.reset()
            metrics.setPausedPartitions(stage: settings.stage, count: 0)
        case .assign(let list):
            metrics.rebalanced(stage: settings.stage, kind: .assigned)
            do {
                try prepare(list, shards)
            } catch {
                failure.raise(StageError.partitionsNotPrepared(error))
            }
            assigned.formUnion(list)
            readiness.set(assignedCondition, satisfied: true)
        }
    }

    /// Has every shard drop the partitions' state, records held back and outputs in flight, and waits until they
    /// have: after this no shard produces anything more for them.
    private func release(_ partitions: Set<KafkaTopicPartition>) {
        let released = DispatchSemaphore(value: 0)
        for shard in shards {
            shard.post(.perform { handler, outbox in
                outbox.release(partitions, droppedByHandler: handler.release(partitions))
                released.signal()
            })
        }
        let deadline = DispatchTime.now() + .milliseconds(Int(settings.drainTimeout.milliseconds))
        for shard in shards where released.wait(timeout: deadline) == .timedOut {
            failure.raise(StageError.shardUnresponsive(shard: shard.index))
            return
        }
    }

    private func reportStatus() {
        for (shard, backlog) in zip(shards, shardBacklogs) {
            metrics.setShardBacklog(stage: settings.stage, shard: shard.index, records: backlog)
        }
        for position in consumer.positions(Array(assigned)) where position.offset >= 0 {
            let partition = position.topicPartition
            if let watermarks = consumer.cachedWatermarks(partition), watermarks.high >= 0 {
                metrics.setConsumerLag(topic: position.topic, partition: Int(position.partition), lag: max(0, watermarks.high - position.offset))
            }
        }
    }

    /// Stops the shards, flushes the producer and closes the consumer, each within what is left of the shutdown
    /// budget: librdkafka's close can hang, and a stuck close must not keep the process from exiting.
    private func close() {
        isClosing = true
        let deadline = budget.deadline()
        for shard in shards where !shard.stop(within: budget.remaining(until: deadline)) {
            logger.warning("shard did not stop in time", metadata: ["stage": "\(settings.stage.rawValue)", "shard": "\(shard.index)"])
        }
        // Outputs in flight land before the partitions can move to another worker, which restores from them.
        try? producer.flush(timeout: budget.remaining(until: deadline))
        let consumer = consumer!
        let closed = budget.run(by: deadline, name: "\(settings.stage.rawValue)-close") { consumer.close() }
        if !closed {
            logger.warning("consumer close timed out; exiting without it", metadata: ["stage": "\(settings.stage.rawValue)"])
        }
    }
}

/// Delivery reports as librdkafka hands them over, on whichever thread serves the producer (the polling thread,
/// or a shard's whose produce call waited for room), until the polling thread routes them to their shards.
private final class DeliveryReports: Sendable {
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    func append(_ report: KafkaDeliveryReport) {
        reports.withLock { $0.append(report) }
    }

    func takeAll() -> [KafkaDeliveryReport] {
        reports.withLock { reports in
            defer { reports = [] }
            return reports
        }
    }
}

/// How a stage consumes, shards and commits.
struct StageSettings {
    var stage: WorkerMetrics.Stage
    var inputTopics: [String]
    /// Topics the stage produces to, the dead-letter topic included: looked up at start.
    var outputTopics: [String]
    var deadLetterTopic: String
    var workerID: String
    var maxBatch: Int
    var shards: Int
    /// Records a shard may have unfinished before the stage pauses its partitions.
    var shardCapacity: Int
    /// How long a revoke may take to finish the revoked partitions' records.
    var drainTimeout: Duration
    /// How long a poll waits for a first message when none is there: delivery reports are routed at least
    /// this often.
    var pollTimeout: Duration = .milliseconds(5)
    /// How often finished offsets are handed to librdkafka, which commits them every `auto.commit.interval.ms`.
    /// Revoke and shutdown store at once.
    var offsetStoreInterval: Duration = .milliseconds(100)
    var statusInterval: Duration = .seconds(1)
}
