import ArgumentParser
import AutonomicsCore
import AutonomicsSamples
import AutonomicsWorker
import Foundation
import Logging

struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Send sample events, or events from a file, to the events topic.",
        discussion: "Without --file or --sample it sends every built-in sample: signals, Marketplace and Monitoring "
            + "notifications (raw and in Pub/Sub push envelopes) and one invalid event that lands in the dead-letter topic."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Target topic (key topics.events).")
    var topic: String?

    @Option(name: .long, help: "A JSON-lines file: one event per line ('-' reads standard input).")
    var file: String?

    @Option(name: .long, help: "Send only this built-in sample (repeatable); see --list-samples.")
    var sample: [String] = []

    @Option(name: .long, help: "Key for every event (default: none, as a Pub/Sub bridge sends them).")
    var key: String?

    @Flag(name: .long, help: "List the built-in samples and exit.")
    var listSamples = false

    func run() throws {
        if listSamples {
            Self.samples.forEach { announce($0.name) }
            return
        }
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        var flags: [String: String] = [:]
        flags["topics.events"] = topic
        let configuration = try options.load(flags: flags)
        guard configuration.kafka.brokers != WorkerConfiguration.Kafka.embedded else {
            printError("autonomics: produce sends to a running broker: pass --brokers HOST:PORT (a worker on the embedded cluster prints its address)")
            throw ExitCode(2)
        }
        let values = try eventValues()
        let keyBytes = key.map { Array($0.utf8) }
        let publisher = try EventPublisher(
            brokers: configuration.kafka.brokers, properties: configuration.kafka.properties,
            logger: Logger(label: "autonomics.produce"))
        try publisher.publish(values.map { (key: keyBytes, value: $0) }, to: configuration.topics.events)
        announce("produced \(values.count) events to \(configuration.topics.events)")
    }

    private func eventValues() throws -> [[UInt8]] {
        if let file {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            return data.split(separator: UInt8(ascii: "\n")).map(Array.init)
        }
        guard !sample.isEmpty else { return Self.samples.map { Array($0.json.utf8) } }
        return try sample.map { name in
            guard let found = Self.samples.first(where: { $0.name == name }) else {
                throw ValidationError("unknown sample \"\(name)\"; known: \(Self.samples.map(\.name).joined(separator: ", "))")
            }
            return Array(found.json.utf8)
        }
    }

    /// The valid samples, then the invalid ones that end in the dead-letter topic.
    static let samples = SampleEvents.all + SampleEvents.invalid
}
