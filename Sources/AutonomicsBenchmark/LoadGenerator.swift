#if canImport(Glibc)
import AutonomicsWorker
import Glibc
#endif
import Kafka
import Logging

/// Produces the benchmark's events as fast as allowed, on a thread of its own, and remembers when each was sent.
///
/// Two brakes: an optional target rate, and a window of events not yet seen at the far end of the pipeline — the
/// embedded broker keeps only 5 MiB per partition, so the producer must not run far ahead of the consumers.
final class LoadGenerator: @unchecked Sendable {
    private let log = SendLog()
    private let producer: KafkaProducer

    /// Send times (ns on the monotonic clock) by partition, in offset order, of the last `run`.
    var sent: [Int32: [(offset: Int64, nanoseconds: UInt64)]] { log.sent }

    init(properties: [String: String], topics: [String], logger: Logger) throws {
        producer = try KafkaProducer(properties: properties, logger: logger) { [log] report in log.delivered(report) }
        try producer.prepare(topics: topics, timeout: .seconds(10))
    }

    /// Sends events `range` to `topic`. `completed()` counts events finished downstream; the generator waits while
    /// more than `window` sent events are not finished.
    func run(
        _ range: Range<Int>, events: BenchmarkEvents, topic: String, eventsPerSecond: Double?, window: Int,
        completed: () -> Int
    ) throws {
        log.start(at: range.lowerBound, capacity: range.count)
        let start = ContinuousClock.now
        for index in range {
            let produced = index - range.lowerBound
            while produced - completed() > window {
                producer.poll(timeout: .milliseconds(1))
            }
            if let eventsPerSecond {
                // Waits in steps of a millisecond, then sends every event that fell due meanwhile: spinning until
                // each event's own moment would take a core from the worker. Polling keeps delivery reports flowing.
                while Double(produced) > (ContinuousClock.now - start).seconds * eventsPerSecond {
                    producer.poll(timeout: .milliseconds(1))
                }
            }
            log.sendTimes.append(Monotonic.nanoseconds())
            try producer.produce(
                topic: topic, partition: nil, key: nil, value: events.value(of: index), headers: [], token: UInt64(index))
            if produced % 256 == 0 { producer.poll() }
        }
        try producer.flush(timeout: .seconds(60))
        guard log.failures == 0 else { throw BenchmarkError.undelivered(log.failures) }
    }
}

/// What the generator sent and when. Only the producing thread touches it: librdkafka serves delivery reports
/// inside that thread's produce/poll/flush calls.
private final class SendLog: @unchecked Sendable {
    var sendTimes: [UInt64] = []
    var sent: [Int32: [(offset: Int64, nanoseconds: UInt64)]] = [:]
    var failures = 0
    private var firstIndex = 0

    func start(at firstIndex: Int, capacity: Int) {
        self.firstIndex = firstIndex
        sendTimes = []
        sendTimes.reserveCapacity(capacity)
        sent = [:]
        failures = 0
    }

    func delivered(_ report: KafkaDeliveryReport) {
        guard report.error == nil else {
            failures += 1
            return
        }
        sent[report.partition, default: []].append((report.offset, sendTimes[Int(report.token) - firstIndex]))
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case undelivered(Int)
    case timedOut(String)
    case unsupportedGuarantee(String)
    case brokerDidNotStart(String)
    case noBrokerExecutable

    var description: String {
        switch self {
        case .undelivered(let count): "\(count) benchmark events were not delivered"
        case .timedOut(let what): "the benchmark timed out waiting for \(what)"
        case .unsupportedGuarantee(let name): "unknown delivery guarantee \"\(name)\"; this worker offers: at-least-once"
        case .brokerDidNotStart(let executable): "\(executable) broker did not announce its bootstrap servers"
        case .noBrokerExecutable: "the embedded broker runs as `autonomics broker`: the benchmark needs the autonomics executable"
        }
    }
}

/// The monotonic clock in nanoseconds, comparable across threads.
enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
