import ArgumentParser
import AutonomicsWorker
import Foundation
import Logging

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run librdkafka's mock cluster alone, with topics created, until SIGTERM or SIGINT.",
        discussion: """
            The broker that `run --brokers embedded` starts in process, as a process of its own: for local clients \
            (kcat, autonomics produce, workers started with --brokers) and for `bench`, which measures the worker \
            apart from the broker this way. Prints its bootstrap.servers line first.
            """
    )

    @Option(name: .customLong("broker-count"), help: "Mock brokers (1…9).")
    var brokerCount = WorkerConfiguration.Embedded().brokers

    @Option(name: .long, help: "Partitions of each topic.")
    var partitions = WorkerConfiguration.Embedded().partitions

    @Option(name: .customLong("topic"), help: "A topic to create; repeat for more. Default: the worker's topics.")
    var topics: [String] = []

    @Flag(name: .customLong("exit-on-stdin-eof"), help: "Stop when standard input closes, e.g. when the process holding it exits.")
    var exitOnStdinEOF = false

    func validate() throws {
        guard (1...9).contains(brokerCount) else { throw ValidationError("--broker-count must be 1…9") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be 1…256") }
    }

    func run() async throws {
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        let logger = Logger(label: "autonomics.broker")
        let defaults = WorkerConfiguration.Topics()
        let cluster = try EmbeddedKafka(
            brokers: brokerCount, partitions: partitions,
            topics: topics.isEmpty ? defaults.all : topics,
            logger: logger)
        announce("\(EmbeddedKafka.announcement)\(cluster.bootstrapServers)")
        if exitOnStdinEOF {
            // A parent that holds our standard input closes it even when it crashes: then stop as if told to, so
            // that nothing is left behind. Read on a thread of its own: the read blocks.
            Thread {
                _ = FileHandle.standardInput.readDataToEndOfFile()
                kill(getpid(), SIGTERM)
            }.start()
        }
        try await cluster.runUntilSignalled(logger: logger)
    }
}
