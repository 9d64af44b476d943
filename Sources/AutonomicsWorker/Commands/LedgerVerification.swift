import AutonomicsCore
import Foundation
import Kafka
import Logging

/// `autonomics verify`: checks every tenant's receipt chain, from the receipts topic or from a JSON-lines file.
public enum LedgerVerification {
    /// Reads every partition of `topic` up to its current end.
    /// - Parameter onReceipt: sees each receipt as read (the CLI's `--show`).
    public static func verifyTopic(
        _ topic: String, brokers: String, properties: [String: String], logger: Logger,
        onReceipt: ([UInt8]) -> Void = { _ in }
    ) throws -> VerificationReport {
        let clients = KafkaClientProperties(bootstrapServers: brokers, passThrough: properties, clientID: "autonomics-verify")
        var verifier = ChainVerifier()
        try TopicReader(properties: clients.reader(), logger: logger).readToEnd(topic: topic) { message in
            let bytes = message.value ?? []
            onReceipt(bytes)
            verifier.add(bytes, location: "\(message.topic)/\(message.partition)@\(message.offset)")
        }
        return verifier.report()
    }

    /// Reads a file with one receipt per line (blank lines ignored), as `kcat -C -e -f '%s\n'` writes them.
    public static func verifyFile(_ path: String, onReceipt: ([UInt8]) -> Void = { _ in }) throws -> VerificationReport {
        let contents = try Data(contentsOf: URL(fileURLWithPath: path))
        var verifier = ChainVerifier()
        for (index, line) in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            let bytes = Array(line)
            onReceipt(bytes)
            verifier.add(bytes, location: "\(path):\(index + 1)")
        }
        return verifier.report()
    }
}
