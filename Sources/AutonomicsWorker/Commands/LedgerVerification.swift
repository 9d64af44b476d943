import AutonomicsCore
import Foundation
import Kafka
import Logging

/// `autonomics verify`: checks every tenant's receipt chain, from the receipts topic or from a JSON-lines file, and
/// with a public key every receipt's signature.
public enum LedgerVerification {
    /// Reads every partition of `topic` up to its current end.
    /// - Parameters:
    ///   - publicKey: checks each receipt's `signature` with it; nil ignores signatures.
    ///   - onReceipt: sees each receipt as read (the CLI's `--show`).
    public static func verifyTopic(
        _ topic: String, brokers: String, properties: [String: String], publicKey: ReceiptPublicKey? = nil,
        logger: Logger, onReceipt: ([UInt8]) -> Void = { _ in }
    ) throws -> VerificationReport {
        let clients = KafkaClientProperties(bootstrapServers: brokers, passThrough: properties, clientID: "autonomics-verify")
        var verifier = ChainVerifier(publicKey: publicKey)
        try TopicReader(properties: clients.reader(), logger: logger).readToEnd(topic: topic) { message in
            let bytes = message.value ?? []
            onReceipt(bytes)
            verifier.add(bytes, location: "\(message.topic)/\(message.partition)@\(message.offset)")
        }
        return verifier.report()
    }

    /// Reads a file with one receipt per line (blank lines ignored), as `kcat -C -e -f '%s\n'` writes them.
    public static func verifyFile(
        _ path: String, publicKey: ReceiptPublicKey? = nil, onReceipt: ([UInt8]) -> Void = { _ in }
    ) throws -> VerificationReport {
        let contents = try Data(contentsOf: URL(fileURLWithPath: path))
        var verifier = ChainVerifier(publicKey: publicKey)
        for (index, line) in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            let bytes = Array(line)
            onReceipt(bytes)
            verifier.add(bytes, location: "\(path):\(index + 1)")
        }
        return verifier.report()
    }

    /// Reads the Ed25519 public key in the PEM file at `path` (`openssl pkey -in KEY -pubout`).
    /// - Throws: ``ConfigurationError`` naming the file and what was expected.
    public static func publicKey(file path: String) throws(ConfigurationError) -> ReceiptPublicKey {
        try PEMKeyFile.load(path, key: nil, parse: ReceiptPublicKey.init(pem:))
    }
}
