import AutonomicsWorker
import Foundation
import Histogram

public struct LatencyPercentiles: Sendable, Codable {
    public var p50Milliseconds: Double
    public var p95Milliseconds: Double
    public var p99Milliseconds: Double
    public var maxMilliseconds: Double

    init(_ microseconds: Histogram<UInt64>) {
        func milliseconds(_ percentile: Double) -> Double { Double(microseconds.valueAtPercentile(percentile)) / 1000 }
        p50Milliseconds = milliseconds(50)
        p95Milliseconds = milliseconds(95)
        p99Milliseconds = milliseconds(99)
        maxMilliseconds = Double(microseconds.max) / 1000
    }
}

/// The worker's actions during a phase, from its own metrics (against the bench's in-process GCP fake, or the
/// configured endpoints).
public struct ActionFigures: Sendable, Codable {
    public var actions: Int
    public var failed: Int
    public var perSecond: Double
    /// Mean duration of one action, read, write and operation polling included; nil without actions.
    public var meanMilliseconds: Double?
}

public struct BenchmarkRow: Sendable, Codable {
    public var name: String
    public var events: Int
    public var seconds: Double
    public var eventsPerSecond: Double
    /// Worker events/s over baseline events/s, for the worker at full speed.
    public var ratioToBaseline: Double?
    /// From produce to the receipt read back from the receipts topic.
    public var latency: LatencyPercentiles?
    /// Peak resident memory of the benchmark process during the phase: the worker and the benchmark's own clients
    /// (the embedded broker runs in a process of its own).
    public var peakResidentBytes: Int?
    /// CPU time of the benchmark process per million events.
    public var cpuSecondsPerMillionEvents: Double
    /// For the worker's phases.
    public var actions: ActionFigures?
}

public struct BenchmarkReport: Sendable, Codable {
    public var brokers: String
    /// Peak resident memory of the embedded broker's child process over the whole run.
    public var brokerPeakResidentBytes: Int?
    public var events: Int
    public var tenants: Int
    public var partitions: Int
    public var guarantee: DeliveryGuarantee
    public var cores: Int
    public var rows: [BenchmarkRow]

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func table() -> String {
        var lines = [
            "autonomics bench: \(events) events, \(tenants) tenants, \(partitions) partitions, \(guarantee.rawValue), "
                + "\(cores) cores, broker: \(brokers)",
            "",
            row(["", "events/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "peak RSS MiB", "CPU s/M events"]),
        ]
        for result in rows {
            lines.append(row([
                result.name,
                String(Int(result.eventsPerSecond.rounded())),
                result.ratioToBaseline.map { String(format: "%.2f", $0) } ?? "-",
                result.latency.map { String(format: "%.1f", $0.p50Milliseconds) } ?? "-",
                result.latency.map { String(format: "%.1f", $0.p95Milliseconds) } ?? "-",
                result.latency.map { String(format: "%.1f", $0.p99Milliseconds) } ?? "-",
                result.peakResidentBytes.map { String($0 / (1 << 20)) } ?? "-",
                String(format: "%.2f", result.cpuSecondsPerMillionEvents),
            ]))
        }
        for result in rows {
            guard let actions = result.actions else { continue }
            lines.append(
                "actions, \(result.name): \(actions.actions) (\(actions.failed) failed), "
                    + String(format: "%.1f/s", actions.perSecond)
                    + (actions.meanMilliseconds.map { String(format: ", mean %.1f ms", $0) } ?? ""))
        }
        if let brokerPeakResidentBytes {
            lines.append("embedded broker (own process): peak RSS \(brokerPeakResidentBytes / (1 << 20)) MiB (not in the figures above)")
        }
        return lines.joined(separator: "\n")
    }

    private func row(_ cells: [String]) -> String {
        let widths = [28, 10, 7, 8, 8, 8, 13, 15]
        return zip(cells, widths).enumerated().map { column, cell in
            let padding = String(repeating: " ", count: max(0, cell.1 - cell.0.count))
            return column == 0 ? cell.0 + padding : padding + cell.0
        }.joined()
    }
}
