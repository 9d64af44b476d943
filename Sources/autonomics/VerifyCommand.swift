import ArgumentParser
import AutonomicsCore
import AutonomicsWorker
import Foundation
import Logging

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every tenant's receipt chain: hashes, links, sequence gaps and duplicates.",
        discussion: "Exits 1 naming the first broken receipt of each bad tenant; 0 when every chain is intact."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Receipts topic (key topics.receipts).")
    var topic: String?

    @Option(name: .long, help: "Read receipts from a JSON-lines file instead of Kafka.")
    var file: String?

    @Flag(name: .long, help: "Print each receipt as it is read.")
    var show = false

    func run() throws {
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        let printReceipt: ([UInt8]) -> Void = { bytes in
            if show { announce(String(decoding: bytes, as: UTF8.self)) }
        }
        let report: VerificationReport
        if let file {
            report = try LedgerVerification.verifyFile(file, onReceipt: printReceipt)
        } else {
            var flags: [String: String] = [:]
            flags["topics.receipts"] = topic
            let configuration = try options.load(flags: flags)
            guard configuration.kafka.brokers != WorkerConfiguration.Kafka.embedded else {
                printError("autonomics: verify reads a running broker: pass --brokers HOST:PORT (a worker on the embedded cluster prints its address) or --file")
                throw ExitCode(2)
            }
            report = try LedgerVerification.verifyTopic(
                configuration.topics.receipts, brokers: configuration.kafka.brokers,
                properties: configuration.kafka.properties, logger: Logger(label: "autonomics.verify"),
                onReceipt: printReceipt)
        }
        announce(report.summary)
        if !report.isValid { throw ExitCode(1) }
    }
}
