import AutonomicsCore
import AutonomicsSamples
import AutonomicsTestSupport
import Foundation
import Testing

@testable import AutonomicsBenchmark
@testable import AutonomicsWorker

@Suite("Benchmark")
struct BenchmarkTests {
    @Test("a small run measures the baseline and the worker and reports latencies", .timeLimit(.minutes(3)))
    func smallRun() async throws {
        var options = BenchmarkOptions()
        options.events = 3000
        options.tenants = 50
        options.partitions = 4
        options.brokerExecutable = try autonomicsExecutable()
        let report = try await Benchmark.run(options, logger: testLogger) { _ in }
        #expect(report.rows.map(\.name) == ["baseline (librdkafka relay)", "worker (max rate)", "worker (half rate)"])
        #expect(report.rows.allSatisfy { $0.eventsPerSecond > 0 && $0.cpuSecondsPerMillionEvents > 0 })
        let worker = report.rows[1]
        #expect(worker.ratioToBaseline == worker.eventsPerSecond / report.rows[0].eventsPerSecond)
        let latency = try #require(worker.latency)
        #expect(latency.p50Milliseconds > 0 && latency.p50Milliseconds <= latency.p99Milliseconds)
        #expect(report.table().contains("worker (half rate)"))
        // The governors act on the bench tenants' resources in the bench's own GCP fake; how many actions a small
        // run starts depends on how its tenants' signals interleave, so only the accounting is checked.
        let actions = try #require(worker.actions)
        #expect(actions.failed <= actions.actions && actions.perSecond >= 0)
        #expect(report.table().contains("actions, worker (max rate): "))
        #expect(report.brokers.contains("own process"))
        #expect(try #require(report.brokerPeakResidentBytes) > 0, "the broker's memory is measured apart")
    }

    @Test("every generated event is valid and distinct except the one invalid event in a thousand")
    func generatedEvents() throws {
        let events = BenchmarkEvents(tenants: 7, totalEvents: 2000, runID: "t", now: WallClock.milliseconds())
        let normalizer = Normalizer(settings: IntakeSettings())
        let origin = EventOrigin(topic: "t", partition: 0, offset: 0, timestamp: nil)
        var ids = Set<String>()
        var invalid = 0
        for index in 0..<2000 {
            switch normalizer.normalize(events.value(of: index), origin: origin, now: WallClock.milliseconds()) {
            case .success(let event): ids.insert(event.eventID)
            case .failure: invalid += 1
            }
        }
        #expect(invalid == 2)
        #expect(ids.count == 1998)
        #expect(BenchmarkEvents.validCount(in: 0..<2000) == 1998)
    }

    @Test("the source of a receipt is read without a full parse")
    func receiptSource() throws {
        var ledger = ReceiptLedger()
        let event = try Normalizer(settings: IntakeSettings()).normalize(
            Array(SampleEvents.signal.utf8), origin: EventOrigin(topic: "events", partition: 5, offset: 1234, timestamp: nil),
            now: WallClock.milliseconds()
        ).get()
        let recorded = ledger.record(event, now: WallClock.milliseconds())
        let receipt = try #require(recorded)
        let source = try #require(ReceiptSource(receipt.bytes))
        #expect(source.partition == 5 && source.offset == 1234)
        #expect(ReceiptSource(Array("{}".utf8)) == nil)
    }

    @Test("a broker started with --exit-on-stdin-eof stops cleanly once its standard input closes", .timeLimit(.minutes(1)))
    func brokerExitsOnStdinEOF() async throws {
        let broker = Process()
        broker.executableURL = try autonomicsExecutable()
        broker.arguments = ["broker", "--exit-on-stdin-eof", "--partitions", "1", "--topic", "t"]
        let input = Pipe()
        broker.standardInput = input
        broker.standardOutput = FileHandle.nullDevice
        try broker.run()
        try await Task.sleep(for: .milliseconds(500))
        #expect(broker.isRunning)

        try input.fileHandleForWriting.close()
        await eventually(timeout: .seconds(20), "the broker to exit") { !broker.isRunning }
        #expect(broker.terminationReason == .exit && broker.terminationStatus == 0)
    }
}
