import ArgumentParser
import AutonomicsCore
import AutonomicsWorker
import Foundation
import Logging

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every tenant's receipt chain: hashes, links, sequence gaps and duplicates, and signatures.",
        discussion: """
            Exits 1 naming the first broken receipt of each bad tenant (with --public-key, a missing or bad signature \
            breaks it too); 0 when every chain is intact; 2 when the configuration or the public key is unusable.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Receipts topic (key topics.receipts).")
    var topic: String?

    @Option(name: .long, help: "Read receipts from a JSON-lines file instead of Kafka.")
    var file: String?

    @Option(name: .customLong("public-key"), help: "Ed25519 public key, PEM (openssl pkey -in KEY -pubout): check every receipt's signature.")
    var publicKey: String?

    @Flag(name: .long, help: "Print each receipt as it is read.")
    var show = false

    func run() throws {
        JSONLogHandler.bootstrap(level: .warning, format: .text)
        let printReceipt: ([UInt8]) -> Void = { bytes in
            if show { announce(String(decoding: bytes, as: UTF8.self)) }
        }
        var key: ReceiptPublicKey?
        if let publicKey {
            do {
                key = try LedgerVerification.publicKey(file: publicKey)
            } catch {
                printError("autonomics: \(error)")
                throw ExitCode(2)
            }
        }
        let report: VerificationReport
        if let file {
            report = try LedgerVerification.verifyFile(file, publicKey: key, onReceipt: printReceipt)
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
                properties: configuration.kafka.properties, publicKey: key, logger: Logger(label: "autonomics.verify"),
                onReceipt: printReceipt)
        }
        announce(report.summary)
        if !report.isValid { throw ExitCode(1) }
    }
}
