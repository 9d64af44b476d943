import AutonomicsCore

extension WorkerConfiguration.Receipts {
    /// The signer of the key file ``signingKey`` names; nil when it is empty.
    /// - Throws: ``ConfigurationError`` naming the file, the key `receipts.signing_key` and the expected key format.
    public func signer() throws(ConfigurationError) -> ReceiptSigner? {
        guard !signingKey.isEmpty else { return nil }
        return try PEMKeyFile.load(signingKey, key: "receipts.signing_key", parse: ReceiptSigner.init(pem:))
    }
}
