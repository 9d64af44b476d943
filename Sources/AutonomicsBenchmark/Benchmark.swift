import AutonomicsCore
import AutonomicsWorker
import GCPFake
import class Prometheus.PrometheusCollectorRegistry
import Foundation
import Histogram
import Kafka
import Logging
import ServiceLifecycle

/// Delivery guarantees the worker offers; the benchmark runs under one of them.
public enum DeliveryGuarantee: String, CaseIterable, Sendable, Codable {
    case atLeastOnce = "at-least-once"
}

public struct BenchmarkOptions: Sendable {
    /// Events per measured phase. Default: 1,000,000.
    public var events = 1_000_000
    /// Distinct tenants the events are spread over. Default: 10,000.
    public var tenants = 10_000
    /// Partitions of every topic of the embedded broker. Default: 8.
    public var partitions = 8
    public var guarantee = DeliveryGuarantee.atLeastOnce
    /// Brokers, client properties, topics and batch size; `kafka.brokers` "embedded" starts the mock cluster (see `brokerExecutable`).
    public var configuration = WorkerConfiguration()
    /// Events of the latency phase, run at half the worker's maximum rate. Default: a fifth of `events`.
    public var halfRateEvents: Int?
    /// Events sent but not yet finished downstream before the generator waits: the embedded broker keeps only
    /// 5 MiB per partition. Default: 40,000.
    public var window = 40_000
    /// The `autonomics` executable, which runs the embedded broker as a child process (`autonomics broker`) so that
    /// this process's memory and CPU figures are the worker's, not the broker's. Required for `kafka.brokers` "embedded".
    public var brokerExecutable: URL?

    public init() {}
}

/// `autonomics bench`: the same events through a bare librdkafka relay (the ceiling) and through the worker, in one
/// process and one run, so that the ratio between them holds on a noisy machine.
public enum Benchmark {
    static let baselineInput = "autonomics.bench.in"
    static let baselineOutput = "autonomics.bench.out"

    public static func run(
        _ options: BenchmarkOptions, logger: Logger, progress: @escaping @Sendable (String) -> Void
    ) async throws -> BenchmarkReport {
        var configuration = options.configuration
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var brokerProcess: BrokerProcess?
        if configuration.kafka.brokers == WorkerConfiguration.Kafka.embedded {
            guard let executable = options.brokerExecutable else { throw BenchmarkError.noBrokerExecutable }
            let broker = try BrokerProcess(
                executable: executable, brokers: 3, partitions: options.partitions,
                topics: configuration.topics.all + [baselineInput, baselineOutput])
            configuration.kafka.brokers = broker.bootstrapServers
            configuration.kafka.properties.merge(EmbeddedKafka.consumerDefaults) { given, _ in given }
            brokerProcess = broker
        } else {
            // A shared broker holds earlier runs' records: every group of this run starts at the end.
            configuration.kafka.properties["auto.offset.reset"] = "latest"
        }
        defer { brokerProcess?.stop() }
        configuration.kafka.group = "autonomics-bench-\(runID)"
        configuration.worker.id = "bench-\(runID)"
        configuration.http.port = 0

        let halfRateEvents = options.halfRateEvents ?? max(1, options.events / 5)
        let events = BenchmarkEvents(
            tenants: options.tenants, totalEvents: options.events + halfRateEvents, runID: runID, now: WallClock.milliseconds())
        let clients = KafkaClientProperties(
            bootstrapServers: configuration.kafka.brokers, passThrough: configuration.kafka.properties, clientID: "bench-\(runID)")
        // Unkeyed events would stick to one partition per linger interval and overflow that partition's retention.
        let generator = try LoadGenerator(
            properties: clients.producer().merging(["sticky.partitioning.linger.ms": "0"]) { $1 },
            topics: [baselineInput, configuration.topics.events], logger: logger)

        progress("baseline: librdkafka relaying \(options.events) events \(baselineInput) → \(baselineOutput)")
        let baseline = try await measureBaseline(
            options, events: events, generator: generator, clients: clients, group: configuration.kafka.group,
            maxBatch: configuration.worker.maxBatch, logger: logger)

        progress("worker: starting")
        // The worker reads each Marketplace entitlement from the Procurement API: unless one is configured, the bench
        // answers from the in-process fake, which knows the entitlement of every bench tenant.
        var environment = ProcessInfo.processInfo.environment
        var fake: GCPFake?
        if configuration.gcp.procurementEndpoint.isEmpty && environment["GOOGLE_APPLICATION_CREDENTIALS"] == nil {
            let started = try await GCPFake.start()
            // Every tenant's entitlement, and its service, job and subscription where the spec's bindings put them,
            // so that its actions act.
            let spec = try SKUSpecLoader.load(file: configuration.governor.spec)
            for tenant in 0..<options.tenants {
                let id = "bench-\(runID)-\(tenant)"
                started.addEntitlement(
                    "providers/bench-provider/entitlements/\(id)", account: id, state: "ENTITLEMENT_ACTIVE", plan: "growth-monthly")
                if let service = try? spec.bindings.target(.service, tenantID: id) { started.addService(service, maxInstanceCount: 50) }
                if let job = try? spec.bindings.target(.job, tenantID: id) { started.addJob(job) }
                if let subscription = try? spec.bindings.target(.subscription, tenantID: id) { started.addSubscription(subscription) }
            }
            let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("autonomics-bench-\(runID).json")
            try Data(started.serviceAccountKeyJSON).write(to: keyFile)
            for (name, value) in started.environment(keyFile: keyFile.path) { environment[name] = value }
            configuration.gcp.runEndpoint = started.endpoint(.run)
            configuration.gcp.schedulerEndpoint = started.endpoint(.scheduler)
            configuration.gcp.pubsubEndpoint = started.endpoint(.pubsub)
            configuration.gcp.procurementEndpoint = started.endpoint(.procurement)
            fake = started
        }
        defer {
            if let fake {
                try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("autonomics-bench-\(runID).json"))
                Task { await fake.stop() }
            }
        }
        let worker = try await ThreadService.runOnDedicatedThread(name: "bench-startup") { [configuration, environment] in
            try Worker(configuration: configuration, logger: logger, environment: environment)
        }
        let group = worker.makeServiceGroup()
        let running = Task { try await group.run() }
        defer { running.cancel() }
        while !worker.readiness.status.isReady {
            try await Task.sleep(for: .milliseconds(50))
        }

        progress("worker: \(options.events) events at full speed")
        var actionsBefore = ActionCounts(worker.registry)
        var maximum = try await measureWorker(
            "worker (max rate)", range: 0..<options.events, eventsPerSecond: nil, options: options, events: events,
            generator: generator, clients: clients, topics: configuration.topics, logger: logger)
        maximum.ratioToBaseline = maximum.eventsPerSecond / baseline.eventsPerSecond
        maximum.actions = ActionCounts(worker.registry).since(actionsBefore, seconds: maximum.seconds)
        actionsBefore = ActionCounts(worker.registry)
        let halfRate = maximum.eventsPerSecond / 2
        progress("worker: \(halfRateEvents) events at half that rate (\(Int(halfRate))/s)")
        var half = try await measureWorker(
            "worker (half rate)", range: options.events..<(options.events + halfRateEvents), eventsPerSecond: halfRate,
            options: options, events: events, generator: generator, clients: clients, topics: configuration.topics,
            logger: logger)
        half.actions = ActionCounts(worker.registry).since(actionsBefore, seconds: half.seconds)

        await group.triggerGracefulShutdown()
        try await running.value
        return BenchmarkReport(
            brokers: brokerProcess == nil ? configuration.kafka.brokers : "embedded (librdkafka mock cluster, 3 brokers, own process)",
            brokerPeakResidentBytes: brokerProcess?.peakResidentSize,
            events: options.events, tenants: options.tenants, partitions: options.partitions,
            guarantee: options.guarantee, cores: ProcessInfo.processInfo.activeProcessorCount,
            rows: [baseline, maximum, half])
    }

    private static func measureBaseline(
        _ options: BenchmarkOptions, events: BenchmarkEvents, generator: LoadGenerator, clients: KafkaClientProperties,
        group: String, maxBatch: Int, logger: Logger
    ) async throws -> BenchmarkRow {
        let relay = try BaselineRelay(
            clients: clients, group: "\(group)-baseline", input: baselineInput, output: baselineOutput,
            maxBatch: maxBatch, logger: logger)
        let total = options.events
        try await ThreadService.runOnDedicatedThread(name: "bench-relay") { try relay.join(timeout: .seconds(60)) }
        let measurement = try await drive(
            generator, range: 0..<total, events: events, topic: baselineInput, eventsPerSecond: nil, window: options.window,
            finished: relay.delivered, sinkThread: "bench-relay"
        ) { stop in
            try relay.run(expected: total, stop: stop, deadline: .now + .seconds(300))
        }
        return measurement.finish("baseline (librdkafka relay)", events: total, latencies: nil)
    }

    private static func measureWorker(
        _ name: String, range: Range<Int>, eventsPerSecond: Double?, options: BenchmarkOptions, events: BenchmarkEvents,
        generator: LoadGenerator, clients: KafkaClientProperties, topics: WorkerConfiguration.Topics, logger: Logger
    ) async throws -> BenchmarkRow {
        let arrivals = try ReceiptArrivals(properties: clients.reader(), topic: topics.receipts, logger: logger)
        let expected = BenchmarkEvents.validCount(in: range)
        let deadline = ContinuousClock.now + .seconds(300)
        let measurement = try await drive(
            generator, range: range, events: events, topic: topics.events, eventsPerSecond: eventsPerSecond,
            window: options.window, finished: arrivals.received, sinkThread: "bench-receipts"
        ) { stop in
            try arrivals.run(expected: expected, stop: stop, deadline: deadline)
        }
        return measurement.finish(name, events: range.count, latencies: latencies(sent: generator.sent, arrivals: arrivals.arrivals))
    }

    /// Runs `sink` (what reads the far end) on a thread of its own while the generator sends events `range` to
    /// `topic`, holding back while more than `window` sent events are not `finished`; stops the sink if the generator
    /// fails. Returns the measurement, started once the sink runs, when the sink is done.
    private static func drive(
        _ generator: LoadGenerator, range: Range<Int>, events: BenchmarkEvents, topic: String, eventsPerSecond: Double?,
        window: Int, finished: SharedCounter, sinkThread: String, sink: @escaping @Sendable (StopSignal) throws -> Void
    ) async throws -> Measurement {
        let stop = StopSignal()
        async let sunk: Void = ThreadService.runOnDedicatedThread(name: sinkThread) { try sink(stop) }
        let measurement = Measurement.start()
        do {
            try await ThreadService.runOnDedicatedThread(name: "bench-load") {
                try generator.run(
                    range, events: events, topic: topic, eventsPerSecond: eventsPerSecond, window: window,
                    completed: { finished.value })
            }
        } catch {
            stop.request()
            try? await sunk
            throw error
        }
        try await sunk
        return measurement
    }

    /// Produce → receipt latency of every receipted event, in microseconds.
    static func latencies(
        sent: [Int32: [(offset: Int64, nanoseconds: UInt64)]], arrivals: [(partition: Int32, offset: Int64, nanoseconds: UInt64)]
    ) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for arrival in arrivals {
            guard let sends = sent[arrival.partition] else { continue }
            let index = sends.partitioningIndex { $0.offset >= arrival.offset }
            guard index < sends.count, sends[index].offset == arrival.offset else { continue }
            _ = histogram.record((arrival.nanoseconds - min(arrival.nanoseconds, sends[index].nanoseconds)) / 1000)
        }
        return histogram
    }
}

/// Wall time, CPU time and peak memory of one phase.
private struct Measurement {
    let started: ContinuousClock.Instant
    let cpu: Duration

    static func start() -> Measurement {
        ProcessUsage.resetPeakResidentSize()
        return Measurement(started: .now, cpu: ProcessUsage.cpuTime())
    }

    func finish(_ name: String, events: Int, latencies: Histogram<UInt64>?) -> BenchmarkRow {
        let seconds = (ContinuousClock.now - started).seconds
        let cpuSeconds = (ProcessUsage.cpuTime() - cpu).seconds
        return BenchmarkRow(
            name: name, events: events, seconds: seconds, eventsPerSecond: Double(events) / seconds,
            latency: latencies.map(LatencyPercentiles.init), peakResidentBytes: ProcessUsage.peakResidentSize(),
            cpuSecondsPerMillionEvents: cpuSeconds / Double(events) * 1_000_000)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// The action counters of a worker's metrics at one moment: `autonomics_actions_total` (all, and failed) and the
/// sum and count of `autonomics_action_duration_seconds`, over every adapter.
struct ActionCounts {
    var actions = 0.0
    var failed = 0.0
    var durationSum = 0.0
    var durationCount = 0.0

    init(_ registry: PrometheusCollectorRegistry) {
        for line in String(decoding: registry.emitToBuffer(), as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let name = line[..<(line.firstIndex(of: "{") ?? space)]
            switch name {
            case "autonomics_actions_total":
                actions += value
                if line.contains(#"result="failed""#) { failed += value }
            case "autonomics_action_duration_seconds_sum": durationSum += value
            case "autonomics_action_duration_seconds_count": durationCount += value
            default: continue
            }
        }
    }

    func since(_ before: ActionCounts, seconds: Double) -> ActionFigures {
        let count = durationCount - before.durationCount
        return ActionFigures(
            actions: Int(actions - before.actions), failed: Int(failed - before.failed),
            perSecond: seconds > 0 ? (actions - before.actions) / seconds : 0,
            meanMilliseconds: count > 0 ? (durationSum - before.durationSum) / count * 1000 : nil)
    }
}
