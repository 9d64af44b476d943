/// One link of a tenant's hash chain on the `autonomics.receipts` topic.
///
/// The bytes are a canonical JSON object (RFC 8785) with at least `kind`, `tenant_id`, `seq` (1, 2, … per tenant),
/// `prev_hash` (the previous receipt's `hash`, 64 zeros for the first), `time`, and `hash`: lowercase hex SHA-256
/// of the canonical bytes of the receipt without `hash` and `signature`. A ledger with a ``ReceiptSigner`` adds
/// `signature`, an Ed25519 signature of the `hash` text.
public struct Receipt: Sendable, Hashable {
    public var tenantID: String
    public var seq: Int64
    /// The canonical JSON, `hash` included: the record value to produce.
    public var bytes: [UInt8]
    let digest: SHA256Hash
    /// The `prev_hash` it links to.
    let previous: SHA256Hash

    /// 64 lowercase hex digits.
    public var hash: String { digest.hex }

    init(tenantID: String, seq: Int64, digest: SHA256Hash, previous: SHA256Hash, bytes: [UInt8]) {
        self.tenantID = tenantID
        self.seq = seq
        self.digest = digest
        self.previous = previous
        self.bytes = bytes
    }

    /// The members that ``ReceiptLedger`` sets itself (or that a signer adds).
    static let reservedKeys: Set<String> = [
        "kind", "tenant_id", "seq", "prev_hash", "hash", "time", "spec_hash", "signature",
    ]
}

/// A receipt read back from the ledger topic that does not have the receipt shape.
public struct ReceiptError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The tenant, when the receipt names one.
    public var tenantID: String?
    public var message: String

    public var description: String { message }
}
