import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import Kafka
import Prometheus
import Synchronization
import Testing

@testable import AutonomicsWorker

/// A handler that finishes every record, but only once its gate opens: a slow shard.
private final class GatedHandler: ShardHandler {
    typealias Pending = Void
    let gate: Gate
    let handled: Tally

    init(gate: Gate, handled: Tally) {
        self.gate = gate
        self.handled = handled
    }

    func handle(_ record: KafkaMessage, now: Int64, outbox: ShardOutbox<GatedHandler>) -> RecordOutcome {
        gate.wait()
        handled.add()
        return .finished
    }

    func delivered(_ pending: Void, record: KafkaMessage?, outbox: ShardOutbox<GatedHandler>) {}
    func failed(_ pending: Void, record: KafkaMessage?, error: KafkaError, outbox: ShardOutbox<GatedHandler>) {}
    func release(_ partitions: Set<KafkaTopicPartition>) -> Int { 0 }
    func endOfBatch() {}
}

/// A count shared across threads.
private final class Tally: Sendable {
    private let count = Atomic(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Closed until opened; waiting on it blocks the calling thread.
private final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }
}

/// A stage of gated handlers over the cluster's events topic, running on its own thread.
private final class GatedStage: Sendable {
    let gate = Gate()
    let handled = Tally()
    let registry = PrometheusCollectorRegistry()
    let runtime: StageRuntime<GatedHandler>
    private let stop = StopSignal()
    private let outcome = Mutex<Result<Void, any Error>?>(nil)

    init(cluster: TestCluster, shards: Int, capacity: Int, maxBatch: Int, shutdownBudget: Duration) throws {
        let settings = StageSettings(
            stage: .governor, inputTopics: [cluster.topics.events], outputTopics: [cluster.topics.dlq],
            deadLetterTopic: cluster.topics.dlq, workerID: "test", maxBatch: maxBatch, shards: shards,
            shardCapacity: capacity, drainTimeout: .seconds(5))
        let clients = KafkaClientProperties(
            bootstrapServers: cluster.bootstrapServers, passThrough: ["session.timeout.ms": "6000"], clientID: "gated")
        let (gate, handled) = (gate, handled)
        runtime = try StageRuntime(
            settings: settings,
            consumerProperties: clients.groupConsumer(group: "gated-\(UUID().uuidString.prefix(8))"),
            producerProperties: clients.producer(),
            makeHandler: { _ in GatedHandler(gate: gate, handled: handled) },
            route: { Int($0.partition) % shards },
            metrics: WorkerMetrics(registry: registry), readiness: WorkerReadiness(),
            budget: ShutdownBudget(total: shutdownBudget), logger: testLogger, now: WallClock.milliseconds)
        Thread { [self] in
            let result = Result { try runtime.run(until: stop) }
            outcome.withLock { $0 = result }
        }.start()
    }

    func requestStop() { stop.request() }

    var result: Result<Void, any Error>? { outcome.withLock { $0 } }

    /// A metric's line from the registry, e.g. `autonomics_paused_partitions{stage="governor"}`.
    func metric(_ prefix: String) -> Double? {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}

@Suite("Stage runtime")
struct StageRuntimeTests {
    @Test("a full shard pauses the partitions, memory stays bounded, and the drained shard resumes them", .timeLimit(.minutes(2)))
    func backpressure() async throws {
        let cluster = try TestCluster(partitions: 4)
        let events = 20_000
        try await cluster.produce(signals(0..<events, tenants: 100))
        let (capacity, maxBatch) = (500, 100)
        let stage = try GatedStage(cluster: cluster, shards: 2, capacity: capacity, maxBatch: maxBatch, shutdownBudget: .seconds(10))

        await eventually("the partitions paused") { stage.metric(#"autonomics_paused_partitions{stage="governor"}"#) == 4 }
        // While the shards are stuck, the backlog stays at the bound: the fetcher has stopped.
        var highest = 0
        for _ in 0..<20 {
            highest = max(highest, stage.runtime.shardBacklogs.max() ?? 0)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(highest >= capacity)
        #expect(highest <= capacity + maxBatch, "a paused stage takes at most one more poll")
        #expect(stage.handled.value == 0)

        stage.gate.open()
        await eventually("every record handled") { stage.handled.value == events }
        await eventually("the partitions resumed") { stage.metric(#"autonomics_paused_partitions{stage="governor"}"#) == 0 }
        stage.requestStop()
        await eventually("the stage stopped") { stage.result != nil }
        try stage.result?.get()
    }

    @Test("a stage whose records cannot finish stops at the shutdown budget with an error, not a hang", .timeLimit(.minutes(2)))
    func drainTimeout() async throws {
        let cluster = try TestCluster(partitions: 2)
        try await cluster.produce(signals(0..<50, tenants: 5))
        let stage = try GatedStage(cluster: cluster, shards: 2, capacity: 1000, maxBatch: 100, shutdownBudget: .seconds(2))
        await eventually("records dispatched") { stage.runtime.shardBacklogs.reduce(0, +) > 0 }
        let stopRequested = ContinuousClock.now
        stage.requestStop()
        await eventually(timeout: .seconds(20), "the stage stopped") { stage.result != nil }
        let stoppedAfter = ContinuousClock.now - stopRequested
        #expect(stoppedAfter < .seconds(8), "the budget bounds drain, shard stop and close together")
        #expect(throws: StageError.self) { try stage.result?.get() }
        if case .failure(StageError.drainTimedOut(let unfinished)) = stage.result {
            #expect(unfinished > 0)
        } else {
            Issue.record("expected a drain timeout, got \(String(describing: stage.result))")
        }
        stage.gate.open()
    }
}
