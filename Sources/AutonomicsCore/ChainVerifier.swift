/// Proves receipt hash chains intact, or finds the first broken receipt of each tenant.
///
/// Feed receipts in ledger order (per partition, by offset). Each receipt is checked, in this order: it is a
/// receipt; its `hash` matches the recomputed SHA-256; with a public key, its `signature` is that key's signature of
/// the `hash`; its `seq` is the next one (not repeated or lower: a duplicate or reordering; not higher: a gap); its
/// `prev_hash` is the previous receipt's `hash` (64 zeros for seq 1). A changed field with the hash left alone fails
/// the hash check; a recomputed hash breaks the next link, or, with signatures checked, fails the signature check.
/// Without a public key, `signature` members are ignored (the hash never covers them).
public struct ChainVerifier: Sendable {
    private struct Progress: Sendable {
        var seq: Int64 = 0
        var head: SHA256Hash = .zero
        var isBroken = false
    }

    private var tenants: [String: Progress] = [:]
    private var receiptCount = 0
    private var failures: [TenantFailure] = []
    private let publicKey: ReceiptPublicKey?

    /// - Parameter publicKey: checks every receipt's `signature` with it; nil ignores signatures.
    public init(publicKey: ReceiptPublicKey? = nil) {
        self.publicKey = publicKey
    }

    /// Checks the next receipt.
    /// - Parameter location: where it was read, for the report, e.g. `"autonomics.receipts/3@1207"`.
    public mutating func add(_ receiptBytes: [UInt8], location: String) {
        receiptCount += 1
        let receipt: StoredReceipt
        do {
            receipt = try StoredReceipt(parsing: receiptBytes)
        } catch {
            fail(tenantID: error.tenantID, location: location, seq: nil, reason: .unreadable(error.message))
            return
        }
        var progress = tenants[receipt.tenantID, default: Progress()]
        guard !progress.isBroken else { return }
        if let reason = check(receipt, after: progress) {
            fail(tenantID: receipt.tenantID, location: location, seq: receipt.seq, reason: reason)
            return
        }
        progress.seq = receipt.seq
        progress.head = receipt.hash
        tenants[receipt.tenantID] = progress
    }

    /// What was found so far.
    public func report() -> VerificationReport {
        VerificationReport(
            tenantsChecked: tenants.count, receiptsChecked: receiptCount, failures: failures,
            signaturesChecked: publicKey != nil)
    }

    private func check(_ receipt: StoredReceipt, after progress: Progress) -> ChainBreak? {
        let recomputed: SHA256Hash
        do {
            recomputed = try receipt.recomputedHash()
        } catch {
            return .unreadable(error.description)
        }
        if recomputed != receipt.hash {
            return .hashMismatch(recorded: receipt.hash.hex, recomputed: recomputed.hex)
        }
        if let publicKey {
            guard let signature = receipt.signature else { return .missingSignature }
            guard let text = signature.stringValue, publicKey.isValid(signature: text, of: receipt.hash) else {
                return .badSignature
            }
        }
        if receipt.seq <= progress.seq {
            return .duplicateSeq(receipt.seq)
        }
        if receipt.seq > progress.seq + 1 {
            return .gap(expectedSeq: progress.seq + 1, foundSeq: receipt.seq)
        }
        if receipt.prevHash != progress.head {
            return .brokenLink(expectedPrevHash: progress.head.hex, foundPrevHash: receipt.prevHash.hex)
        }
        return nil
    }

    /// Records the failure; a tenant's later receipts are not checked (only its first break is reported).
    private mutating func fail(tenantID: String?, location: String, seq: Int64?, reason: ChainBreak) {
        if let tenantID {
            guard tenants[tenantID]?.isBroken != true else { return }
            tenants[tenantID, default: Progress()].isBroken = true
        }
        failures.append(TenantFailure(tenantID: tenantID, location: location, seq: seq, reason: reason))
    }
}
