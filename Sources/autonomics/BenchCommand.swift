import ArgumentParser
import AutonomicsWorker
import AutonomicsBenchmark
import Foundation
import Logging

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the worker against a bare librdkafka relay of the same events, in one run.",
        discussion: """
            Phases: a baseline relay (consume, produce unchanged), the worker end to end at full speed (throughput, \
            ratio to the baseline), then the worker at half that rate (latency from produce to receipt). \
            Build in release mode for real figures: swift build -c release.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Events per phase.")
    var events = 1_000_000

    @Option(name: .long, help: "Distinct tenants.")
    var tenants = 10_000

    @Option(name: .long, help: "Partitions per topic (embedded broker).")
    var partitions = 8

    @Option(name: .long, help: "Delivery guarantee: \(DeliveryGuarantee.allCases.map(\.rawValue).joined(separator: ", ")).")
    var guarantee = DeliveryGuarantee.atLeastOnce.rawValue

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard events > 0, tenants > 0, partitions > 0 else { throw ValidationError("--events, --tenants and --partitions must be positive") }
        guard DeliveryGuarantee(rawValue: guarantee) != nil else {
            throw ValidationError("unknown --guarantee \"\(guarantee)\"; offered: \(DeliveryGuarantee.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        JSONLogHandler.bootstrap(level: .error, format: .text)
        var benchmark = BenchmarkOptions()
        benchmark.configuration = try options.load()
        benchmark.events = events
        benchmark.tenants = tenants
        benchmark.partitions = partitions
        benchmark.guarantee = DeliveryGuarantee(rawValue: guarantee) ?? .atLeastOnce
        // The embedded broker runs as `autonomics broker` in a child process: the figures are then the worker's own.
        benchmark.brokerExecutable = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let report = try await Benchmark.run(benchmark, logger: Logger(label: "autonomics.bench")) { printError("bench: \($0)") }
        announce(json ? try report.json() : report.table())
    }
}
