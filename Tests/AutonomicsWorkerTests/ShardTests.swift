import AutonomicsCore
import AutonomicsTestSupport
import Kafka
import Logging
import Prometheus
import Synchronization
import Testing

@testable import AutonomicsWorker

/// Records what a shard produces instead of sending it; the test plays the broker by settling the tokens.
private final class FakeProducer: MessageProducer {
    struct Message {
        var topic: String
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [KafkaHeader]
        var token: UInt64
    }

    private let messages = Mutex<[Message]>([])

    var produced: [Message] { messages.withLock { $0 } }

    func produce(
        topic: String, partition: Int32?, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader], timestamp: Int64?,
        token: UInt64
    ) throws {
        messages.withLock { $0.append(Message(topic: topic, key: key, value: value, headers: headers, token: token)) }
    }
}

/// One governor shard without threads or a broker: records go straight to the handler, reports straight back.
private struct GovernorBench {
    let producer = FakeProducer()
    let offsets = InputOffsets()
    let failure = StageFailure()
    let handler: GovernorHandler
    let outbox: ShardOutbox<GovernorHandler>
    var delivered = 0

    init() throws {
        let metrics = WorkerMetrics(registry: PrometheusCollectorRegistry())
        let spec = try SKUSpecLoader.load(file: exampleSpecPath)
        handler = GovernorHandler(
            settings: .init(tenantEventsTopic: "tenant-events", receiptsTopic: "receipts", controlTopic: "control", spec: spec),
            makeLedger: { ReceiptLedger() }, effects: DryRunEffects(logger: testLogger, now: { 0 }), metrics: metrics,
            logger: testLogger, now: { 0 })
        outbox = ShardOutbox(
            settings: .init(shard: 0, deadLetterTopic: "dlq", workerID: "test"), producer: producer, offsets: offsets,
            failure: failure, metrics: metrics, logger: testLogger)
    }

    func consume(_ record: KafkaMessage) {
        offsets.begin([record])
        outbox.hold(record)
        outbox.settle(record, handler.handle(record, now: 0, outbox: outbox))
        outbox.flushFinished()
    }

    /// Settles the `index`th produced message, as librdkafka's delivery report would.
    func settle(_ index: Int, error: KafkaError? = nil) {
        let message = producer.produced[index]
        outbox.settle(
            KafkaDeliveryReport(token: message.token, topic: message.topic, partition: 0, offset: 0, error: error),
            handler: handler)
        outbox.flushFinished()
    }
}

@Suite("Shards, handlers and offsets without a broker")
struct ShardTests {
    private func tenantEvent(_ offset: Int64, tenant: String, event: String) -> KafkaMessage {
        let normalized = NormalizedEvent(
            tenantID: tenant, tenantResolution: "signal.tenant_id", eventID: event, eventType: "signal.cpu_utilization",
            format: .signal, pubsubMessageID: nil, eventTime: 1_795_169_730_250, data: ["metric": "cpu_utilization", "value": "90"],
            origin: EventOrigin(topic: "events", partition: 0, offset: offset))
        return KafkaMessage(topic: "tenant-events", partition: 0, offset: offset, key: Array(tenant.utf8), value: normalized.encoded())
    }

    @Test("a tenant's events wait for its decision's receipts in flight; a failed receipt leaves the chain as it was")
    func tenantSerialization() throws {
        let bench = try GovernorBench()
        bench.consume(tenantEvent(0, tenant: "acme", event: "a-1"))
        bench.consume(tenantEvent(1, tenant: "acme", event: "a-2"))   // waits for a-1's decision
        bench.consume(tenantEvent(2, tenant: "globex", event: "g-1"))   // another tenant goes on
        #expect(bench.producer.produced.map(\.topic) == ["receipts", "receipts"])
        #expect(bench.offsets.unfinished() == 3)

        bench.settle(0, error: KafkaError(code: .messageSizeTooLarge))   // a-1's own receipt is lost
        // a-1 is dead-lettered; a-2 takes seq 1, linking to the zero hash: no receipt links to the lost one.
        var produced = bench.producer.produced
        #expect(produced.map(\.topic) == ["receipts", "receipts", "dlq", "receipts"])
        #expect(produced[2].headers.contains { $0.name == DeadLetterHeader.errorCode && $0.value == Array("publish_failed".utf8) })
        let second = try JSONValue.parse(produced[3].value ?? [])
        #expect(second["event_id"]?.stringValue == "a-2")
        #expect(second["seq"] == 1)
        #expect(second["prev_hash"]?.stringValue == String(repeating: "0", count: 64))

        // Each event's decision follows its own receipt once that is delivered: a refusal (no entitlement yet).
        bench.settle(1)
        bench.settle(3)
        produced = bench.producer.produced
        #expect(produced.map(\.topic) == ["receipts", "receipts", "dlq", "receipts", "receipts", "receipts"])
        let refusal = try JSONValue.parse(produced[5].value ?? [])
        #expect(refusal["kind"] == "refusal" && refusal["event_id"]?.stringValue == "a-2")
        #expect(refusal["seq"] == 2 && refusal["prev_hash"] == second["hash"])
        #expect(bench.offsets.committable().isEmpty, "a-1 finishes only once its dead letter is delivered")
        bench.settle(2)
        #expect(bench.offsets.committable().map(\.offset) == [1], "a-1 finished with its dead letter; a-2's decision is in flight")
        bench.settle(4)
        bench.settle(5)
        #expect(bench.offsets.committable().map(\.offset) == [3])
        #expect(bench.offsets.unfinished() == 0)
        #expect(throws: Never.self) { try bench.failure.check() }

        // Replayed, the lost event is no duplicate: it continues acme's chain after a-2's refusal.
        bench.consume(tenantEvent(3, tenant: "acme", event: "a-1"))
        let replayed = try JSONValue.parse(bench.producer.produced[6].value ?? [])
        #expect(replayed["seq"] == 3)
        #expect(replayed["prev_hash"] == refusal["hash"])
    }

    @Test("a receipt lost after part of its decision is in the chain is sent again; past the resends the stage stops")
    func partlyDeliveredDecision() throws {
        let bench = try GovernorBench()
        bench.consume(tenantEvent(0, tenant: "acme", event: "a-1"))
        bench.settle(0)   // the event's own receipt is in the chain; its refusal follows
        bench.settle(1, error: KafkaError(code: .messageSizeTooLarge))
        var produced = bench.producer.produced
        #expect(produced.count == 3 && produced[2].value == produced[1].value, "the same receipt, the same link")
        bench.settle(2)
        #expect(bench.offsets.committable().map(\.offset) == [1])
        #expect(throws: Never.self) { try bench.failure.check() }

        bench.consume(tenantEvent(1, tenant: "acme", event: "a-2"))
        bench.settle(3)
        for attempt in 0...GovernorHandler.resends {
            bench.settle(4 + attempt, error: KafkaError(code: .messageSizeTooLarge))
        }
        produced = bench.producer.produced
        #expect(produced.count == 5 + GovernorHandler.resends)
        #expect(throws: StageError.self) { try bench.failure.check() }
        #expect(bench.offsets.committable().map(\.offset) == [1], "a-2 is never committed: a restart decides it again")
    }

    @Test("a control record is taken only on the partition of its tenant's events; elsewhere it would start a second chain")
    func controlRecordsFollowTheirTenant() throws {
        let bench = try GovernorBench()
        bench.handler.adopt(ReceiptLedger(), partition: 0)
        let reset = Array(#"{"command":"reset","command_id":"c-1","issued_by":"ops"}"#.utf8)
        bench.consume(KafkaMessage(topic: "control", partition: 0, offset: 0, key: Array("acme".utf8), value: reset))
        #expect(bench.producer.produced.map(\.topic) == ["dlq"], "acme has no events on partition 0")

        bench.consume(tenantEvent(0, tenant: "acme", event: "a-1"))
        bench.settle(1)
        bench.settle(2)
        bench.consume(KafkaMessage(topic: "control", partition: 0, offset: 1, key: Array("acme".utf8), value: reset))
        let last = try JSONValue.parse(bench.producer.produced.last?.value ?? [])
        #expect(bench.producer.produced.last?.topic == "receipts")
        #expect(last["input"] == "operator_command" && last["tenant_id"] == "acme")
    }

    @Test("a dead letter that cannot be delivered is a stage failure and its record never finishes")
    func undeliverableDeadLetter() throws {
        let bench = try GovernorBench()
        bench.consume(KafkaMessage(topic: "tenant-events", partition: 0, offset: 0, key: nil, value: Array("{".utf8)))
        #expect(bench.producer.produced.map(\.topic) == ["dlq"])
        bench.settle(0, error: KafkaError(code: .messageSizeTooLarge))
        #expect(throws: StageError.self) { try bench.failure.check() }
        #expect(bench.offsets.committable().isEmpty)
    }

    @Test("a record keyed other than by its tenant is dead-lettered: it would start a second chain")
    func keyMustBeTenant() throws {
        let bench = try GovernorBench()
        var record = tenantEvent(0, tenant: "acme", event: "a-1")
        record.key = Array("globex".utf8)
        bench.consume(record)
        #expect(bench.producer.produced.map(\.topic) == ["dlq"])
        #expect(bench.producer.produced.first?.headers.contains { $0.value == Array("invalid_tenant_event".utf8) } == true)
    }

    @Test("backpressure pauses at capacity and resumes only at half", arguments: [
        // (paused before, backlogs, change)
        (false, [0, 0], nil), (false, [99, 10], nil), (false, [100, 0], .pause), (false, [0, 250], .pause),
        (true, [100, 0], nil), (true, [51, 0], nil), (true, [50, 50], .resume), (true, [0, 0], .resume),
    ] as [(Bool, [Int], Backpressure.Change?)])
    func backpressure(paused: Bool, backlogs: [Int], change: Backpressure.Change?) {
        var backpressure = Backpressure(capacity: 100)
        if paused { backpressure.applied(.pause) }
        #expect(backpressure.change(for: backlogs) == change)
    }

    @Test("tenants go to a stable shard, spread over all of them")
    func routing() {
        let router = ShardRouter(shardCount: 4)
        // FNV-1a is fixed: the same tenant lands on the same shard in every process and after every restart.
        #expect(router.shard(forTenant: "acme") == router.shard(forKey: Array("acme".utf8)))
        #expect(router.shard(forTenant: "tenant-1") == 3)
        #expect(router.shard(forKey: nil) == 0)
        let counts = (0..<10_000).reduce(into: [Int](repeating: 0, count: 4)) { counts, index in
            counts[router.shard(forTenant: "tenant-\(index)")] += 1
        }
        #expect(counts.allSatisfy { (2_000...3_000).contains($0) }, "\(counts)")
        #expect(ShardRouter(shardCount: 1).shard(forTenant: "acme") == 0)
    }

    @Test("offsets: the commit point per topic and partition follows the finished prefix")
    func inputOffsets() {
        let offsets = InputOffsets()
        let records = (0..<4).map { KafkaMessage(topic: $0 < 2 ? "a" : "b", partition: 0, offset: Int64($0), key: nil, value: nil) }
        offsets.begin(records)
        offsets.finish([records[1]])
        offsets.finish([records[3]])
        #expect(offsets.committable().isEmpty)
        #expect(offsets.unfinished(in: [KafkaTopicPartition(topic: "a", partition: 0)]) == 1)
        offsets.finish([records[0]])
        #expect(offsets.committable() == [KafkaTopicPartitionOffset(topic: "a", partition: 0, offset: 2)])
        offsets.forget([KafkaTopicPartition(topic: "b", partition: 0)])
        #expect(offsets.unfinished() == 0)
    }
}
