/// The outcome of ``ChainVerifier``.
public struct VerificationReport: Sendable, Hashable {
    /// Distinct tenants seen.
    public var tenantsChecked: Int
    /// Receipts given, readable or not.
    public var receiptsChecked: Int
    /// The first broken receipt of each bad tenant, in the order found; unreadable receipts that name no tenant
    /// are listed one by one.
    public var failures: [TenantFailure]
    /// Whether every receipt's signature was checked too (the verifier had a public key).
    public var signaturesChecked: Bool

    public init(tenantsChecked: Int, receiptsChecked: Int, failures: [TenantFailure], signaturesChecked: Bool = false) {
        self.tenantsChecked = tenantsChecked
        self.receiptsChecked = receiptsChecked
        self.failures = failures
        self.signaturesChecked = signaturesChecked
    }

    public var isValid: Bool {
        failures.isEmpty
    }

    /// One line when valid, otherwise one more line per failure.
    public var summary: String {
        let checked = "\(receiptsChecked) receipts of \(tenantsChecked) tenants checked"
        guard !isValid else { return "\(checked): all chains intact" + (signaturesChecked ? ", all signatures valid" : "") }
        return (["\(checked): \(failures.count) broken"] + failures.map(\.description)).joined(separator: "\n")
    }
}

/// The first broken receipt of a tenant.
public struct TenantFailure: Sendable, Hashable, CustomStringConvertible {
    /// Nil when the receipt is unreadable and names no tenant.
    public var tenantID: String?
    /// Where the receipt was read, as given to ``ChainVerifier/add(_:location:)``.
    public var location: String
    /// Nil when the receipt is unreadable.
    public var seq: Int64?
    public var reason: ChainBreak

    public init(tenantID: String?, location: String, seq: Int64?, reason: ChainBreak) {
        self.tenantID = tenantID
        self.location = location
        self.seq = seq
        self.reason = reason
    }

    public var description: String {
        let tenant = tenantID.map { "tenant \(JSONValue.string($0))" } ?? "unknown tenant"
        let seqText = seq.map { " seq \($0)" } ?? ""
        return "\(tenant) at \(location)\(seqText): \(reason)"
    }
}

/// Why a receipt breaks its tenant's chain.
public enum ChainBreak: Sendable, Hashable, CustomStringConvertible {
    /// Not JSON, not an object, or missing or malformed chain members.
    case unreadable(String)
    /// The content was changed after hashing.
    case hashMismatch(recorded: String, recomputed: String)
    /// The same or a lower `seq` than one already seen: a duplicate or a reordering.
    case duplicateSeq(Int64)
    /// Receipts are missing before this one.
    case gap(expectedSeq: Int64, foundSeq: Int64)
    /// `prev_hash` is not the previous receipt's `hash`.
    case brokenLink(expectedPrevHash: String, foundPrevHash: String)
    /// Signatures are checked and the receipt has none.
    case missingSignature
    /// `signature` is not the public key's signature of the receipt's `hash`.
    case badSignature

    public var description: String {
        switch self {
        case .unreadable(let problem):
            return "unreadable: \(problem)"
        case .hashMismatch(let recorded, let recomputed):
            return "hash mismatch: the receipt says \(recorded), its content hashes to \(recomputed)"
        case .duplicateSeq(let seq):
            return "seq \(seq) repeats or goes back (duplicate or reordered receipt)"
        case .gap(let expected, let found):
            return "gap: expected seq \(expected), found \(found)"
        case .brokenLink(let expected, let found):
            return "prev_hash \(found) does not link to the previous receipt's hash \(expected)"
        case .missingSignature:
            return "no signature"
        case .badSignature:
            return "signature does not verify with the public key"
        }
    }
}
