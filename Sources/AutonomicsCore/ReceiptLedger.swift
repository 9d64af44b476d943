/// The receipt hash chains of the tenants on the partitions one worker owns: per tenant the last `seq`, the head
/// hash (32 raw bytes) and a bounded window of recent event ids for deduplication.
///
/// Deciding and applying are apart, so that a tenant's state advances only with what is delivered:
/// ``step(tenantEvent:now:)`` decides what an event does to a tenant and returns it as a ``TenantStep`` (the
/// receipts to deliver, the state they lead to) without changing the ledger; ``commit(_:)`` applies a step once its
/// receipts are delivered. A step that is never committed (its delivery failed, its transaction aborted) leaves
/// the tenant as it was: no later receipt links to one nobody can read, and a replay of its event is no duplicate.
///
/// Not thread-safe by itself: one governor shard owns one ledger, or its tenants' part of one.
public struct ReceiptLedger: Sendable {
    /// The canonical SHA-256 of the loaded SKU spec, stamped on every receipt as `spec_hash`.
    public let specHash: String?
    /// How many recent ids each tenant remembers (an enveloped event takes two: its event id and message id).
    public let dedupWindow: Int
    /// Signs every receipt when set (its `signature` member); nil writes none and costs nothing.
    public let signer: ReceiptSigner?

    private var chains: [String: TenantChain] = [:]

    private struct TenantChain: Sendable {
        var seq: Int64 = 0
        var head: SHA256Hash = .zero
        var recentIDs = DedupWindow()
    }

    public init(specHash: String? = nil, dedupWindow: Int = 32, signer: ReceiptSigner? = nil) {
        precondition(dedupWindow >= 0, "dedupWindow must not be negative")
        self.specHash = specHash
        self.dedupWindow = dedupWindow
        self.signer = signer
    }

    /// How many tenants have a chain here.
    public var tenantCount: Int {
        chains.count
    }

    /// The last receipt's `seq` and `hash` of a tenant, nil if it has none here.
    public func head(of tenantID: String) -> (seq: Int64, hash: String)? {
        chains[tenantID].map { ($0.seq, $0.head.hex) }
    }

    /// Chains a receipt of kind `event` for `event` and commits it at once.
    /// - Parameter now: the worker's clock in milliseconds since the epoch, written as `time`.
    /// - Returns: nil when the event is a duplicate: its event id or Pub/Sub message id is in the tenant's window.
    public mutating func record(_ event: NormalizedEvent, now: Int64) -> Receipt? {
        // The intake's own encoding always decodes.
        try! record(tenantEvent: event.encoded(), now: now)
    }

    /// ``step(tenantEvent:now:)`` and ``commit(_:)`` at once, for callers that deliver nothing (tests, tools).
    public mutating func record(tenantEvent bytes: [UInt8], now: Int64) throws(Rejection) -> Receipt? {
        guard let step = try step(tenantEvent: bytes, now: now) else { return nil }
        commit(step)
        return step.receipt
    }

    /// Decides the receipt of kind `event` for a tenant event as the tenant-events topic carries it
    /// (``NormalizedEvent/encoded()``), linked to the tenant's committed head; the ledger is unchanged until
    /// ``commit(_:)``. Its members are copied into the receipt as they stand where they are canonical JSON already,
    /// as the intake writes them.
    /// - Parameter now: the worker's clock in milliseconds since the epoch, written as `time`.
    /// - Returns: nil when the event is a duplicate: its event id or Pub/Sub message id is in the tenant's window.
    /// - Throws: a ``Rejection`` with code ``RejectionCode/invalidTenantEvent`` when the bytes are not a tenant event.
    public func step(tenantEvent bytes: [UInt8], now: Int64) throws(Rejection) -> TenantStep? {
        try step(ParsedTenantEvent(decoding: bytes), now: now)
    }

    /// ``step(tenantEvent:now:)`` for an event already parsed.
    public func step(_ event: ParsedTenantEvent, now: Int64) -> TenantStep? {
        let document = event.document
        let ids = document.withUTF8(of: event.eventID) { eventID in
            guard let messageID = event.pubsubMessageID else { return DedupWindow.EventIDs(eventID: eventID, pubsubMessageID: nil) }
            return document.withUTF8(of: messageID) { DedupWindow.EventIDs(eventID: eventID, pubsubMessageID: $0) }
        }
        let chain = chains[event.tenantID] ?? TenantChain()
        guard !chain.recentIDs.contains(ids) else { return nil }
        var receipt = ReceiptWriter(kind: "event", tenantID: event.tenantID, now: now, specHash: specHash, signer: signer, chain: chain)
        // The event's members in key order; the writer puts the chain's between them.
        receipt.key("data")
        receipt.writer.copy(event.data, of: document)
        receipt.key("event_id")
        receipt.writer.copy(event.eventID, of: document)
        receipt.key("event_time")
        receipt.writer.string(timeMilliseconds: event.eventTime)
        receipt.key("event_type")
        receipt.writer.copy(event.eventType, of: document)
        receipt.key("format")
        receipt.writer.copy(event.formatName, of: document)
        if let messageID = event.pubsubMessageID {
            receipt.key("pubsub_message_id")
            receipt.writer.copy(messageID, of: document)
        }
        receipt.key("source")
        receipt.writer.beginObject()
        receipt.writer.key("offset")
        receipt.writer.integer(event.origin.offset)
        receipt.writer.key("partition")
        receipt.writer.integer(Int64(event.origin.partition))
        receipt.writer.key("topic")
        receipt.writer.copy(event.origin.topic, of: document)
        receipt.writer.endObject()
        receipt.key("tenant_resolution")
        receipt.writer.copy(event.tenantResolution, of: document)
        return TenantStep(receipt: receipt.finish(), recordedIDs: ids)
    }

    /// ``step(appending:tenantID:fields:now:)`` and ``commit(_:)`` at once.
    public mutating func append(kind: String, tenantID: String, fields: [String: JSONValue], now: Int64) -> Receipt {
        let step = step(appending: kind, tenantID: tenantID, fields: fields, now: now)
        commit(step)
        return step.receipt
    }

    /// Decides a receipt of any kind (a transition, a refusal, an action result, …) for a tenant, linked to its
    /// committed head; the ledger is unchanged until ``commit(_:)``.
    /// - Parameter fields: the receipt's own members: strings, booleans, integers within ±(2^53 − 1), null,
    ///   arrays and objects of those. Must not use the chain's keys (`kind`, `tenant_id`, `seq`, `prev_hash`,
    ///   `hash`, `time`, `spec_hash`, `signature`); both are programmer errors and trap.
    public func step(appending kind: String, tenantID: String, fields: [String: JSONValue], now: Int64) -> TenantStep {
        step(appending: kind, tenantID: tenantID, fields: fields, now: now, chain: chains[tenantID] ?? TenantChain())
    }

    /// Decides the receipts of a tenant decision (``TenantDecision/receipts``), each linked to the one before: the
    /// first to `previous` (e.g. the step of the event that caused the decision) or, without it, to the committed
    /// head. Commit them in order once delivered; the ledger is unchanged until then.
    public func steps(
        appending drafts: [ReceiptDraft],
        tenantID: String,
        now: Int64,
        after previous: TenantStep? = nil
    ) -> [TenantStep] {
        precondition(previous.map { $0.tenantID == tenantID } ?? true, "a tenant's receipts link within its own chain")
        var chain = chains[tenantID] ?? TenantChain()
        if let previous { (chain.seq, chain.head) = (previous.receipt.seq, previous.receipt.digest) }
        var steps: [TenantStep] = []
        steps.reserveCapacity(drafts.count)
        for draft in drafts {
            let step = step(appending: draft.kind.rawValue, tenantID: tenantID, fields: draft.fields, now: now, chain: chain)
            (chain.seq, chain.head) = (step.receipt.seq, step.receipt.digest)
            steps.append(step)
        }
        return steps
    }

    private func step(appending kind: String, tenantID: String, fields: [String: JSONValue], now: Int64, chain: TenantChain) -> TenantStep {
        precondition(
            Receipt.reservedKeys.allSatisfy { fields[$0] == nil },
            "receipt fields must not set \(Receipt.reservedKeys.sorted())"
        )
        var receipt = ReceiptWriter(kind: kind, tenantID: tenantID, now: now, specHash: specHash, signer: signer, chain: chain)
        for (key, value) in fields.sorted(by: { CanonicalJSON.keyPrecedes($0.key, $1.key) }) {
            receipt.key(named: key)
            receipt.writer.value(value)
        }
        return TenantStep(receipt: receipt.finish(), recordedIDs: nil)
    }

    /// Applies a step whose receipt is delivered: the receipt becomes the tenant's head and its event ids enter the
    /// dedup window. A step that does not follow the tenant's head (decided before another step was committed) is
    /// refused and changes nothing.
    /// - Returns: whether the step was applied.
    @discardableResult
    public mutating func commit(_ step: TenantStep) -> Bool {
        let capacity = dedupWindow
        return modifyChain(of: step.receipt.tenantID) { chain in
            guard step.receipt.seq == chain.seq + 1, step.previous == chain.head else { return false }
            chain.seq = step.receipt.seq
            chain.head = step.receipt.digest
            if let ids = step.recordedIDs { chain.recentIDs.insert(ids, capacity: capacity) }
            return true
        }
    }

    /// Writes one receipt as canonical JSON. The caller writes its own members in key order, each with
    /// ``key(_:)`` and a value through `writer`; the chain's members are merged in at their places, and `hash`,
    /// the SHA-256 of the receipt without it, is filled in last. With a signer, `signature` is left out of the hash
    /// the same way and filled in after it.
    private struct ReceiptWriter {
        /// The members every receipt has, in key order.
        private enum ChainMember: CaseIterable {
            case hash, kind, prevHash, seq, signature, specHash, tenantID, time

            var key: StaticString {
                switch self {
                case .hash: "hash"
                case .kind: "kind"
                case .prevHash: "prev_hash"
                case .seq: "seq"
                case .signature: "signature"
                case .specHash: "spec_hash"
                case .tenantID: "tenant_id"
                case .time: "time"
                }
            }
        }

        var writer = CanonicalWriter(capacity: 1024)
        private let kind: String
        private let tenantID: String
        private let now: Int64
        private let specHash: String?
        private let signer: ReceiptSigner?
        private let seq: Int64
        private let prevHash: SHA256Hash
        /// How many of the chain's members are written.
        private var chainMembersWritten = 0
        /// The `hash` member with the comma before it (if any), and its digits, zeros until ``link(to:)``.
        private var hashMember = 0..<0
        private var hashDigits = 0..<0
        /// The `signature` member with the comma before it (`hash` always precedes it, `kind` between them), and
        /// its base64 text, placeholder until signed.
        private var signatureMember = 0..<0
        private var signatureText = 0..<0

        init(kind: String, tenantID: String, now: Int64, specHash: String?, signer: ReceiptSigner?, chain: TenantChain) {
            self.kind = kind
            self.tenantID = tenantID
            self.now = now
            self.specHash = specHash
            self.signer = signer
            seq = chain.seq + 1
            prevHash = chain.head
            writer.beginObject()
        }

        /// Starts the caller's member `key`, after the chain's members that sort before it.
        mutating func key(_ key: StaticString) {
            writeChainMembers(before: key.utf8Bytes)
            writer.key(key)
        }

        /// ``key(_:)`` for any key.
        mutating func key(named key: String) {
            key.withUTF8Bytes { writeChainMembers(before: $0) }
            writer.key(named: key)
        }

        /// Completes and hashes the receipt.
        mutating func finish() -> Receipt {
            writeChainMembers(before: nil)
            writer.endObject()
            // Without the `hash` member and one comma: the one before it, or after it when it comes first.
            var left = hashMember
            if writer.bytes[left.lowerBound] != UInt8(ascii: ",") { left = left.lowerBound..<left.upperBound + 1 }
            let hash = SHA256Hash(of: writer.bytes, leavingOut: left, signatureMember)
            hash.withUnsafeBytes { writer.replaceHex(in: hashDigits, with: $0) }
            if let signer {
                // Signed before the write, so that no slice of the bytes is alive to force a copy.
                let signature = signer.signature(ofHashDigits: writer.bytes[hashDigits])
                writer.replaceASCII(in: signatureText, with: signature)
            }
            return Receipt(tenantID: tenantID, seq: seq, digest: hash, previous: prevHash, bytes: writer.bytes)
        }

        /// Writes the chain's members that sort before `key` (UTF-8), or all that are left.
        private mutating func writeChainMembers(before key: UnsafeBufferPointer<UInt8>?) {
            while chainMembersWritten < ChainMember.allCases.count {
                let member = ChainMember.allCases[chainMembersWritten]
                if let key, !CanonicalJSON.keyPrecedes(utf8: member.key.utf8Bytes, key) { return }
                write(member)
                chainMembersWritten += 1
            }
        }

        private mutating func write(_ member: ChainMember) {
            if member == .specHash && specHash == nil || member == .signature && signer == nil { return }
            let start = writer.bytes.count
            writer.key(member.key)
            switch member {
            case .hash:
                let digitsStart = writer.bytes.count + 1
                SHA256Hash.zero.withUnsafeBytes { writer.string(hexOf: $0) }
                hashDigits = digitsStart..<writer.bytes.count - 1
                hashMember = start..<writer.bytes.count
            case .kind: writer.string(kind)
            case .prevHash: prevHash.withUnsafeBytes { writer.string(hexOf: $0) }
            case .seq: writer.integer(seq)
            case .signature:
                let textStart = writer.bytes.count + 1
                writer.string(ReceiptSigner.placeholder)
                signatureText = textStart..<writer.bytes.count - 1
                signatureMember = start..<writer.bytes.count
            case .specHash: writer.string(specHash!)
            case .tenantID: writer.string(tenantID)
            case .time: writer.string(timeMilliseconds: now)
            }
        }
    }

    /// Advances a tenant's chain head and dedup window to a receipt already on the ledger topic, for restoring
    /// the partitions a worker is assigned. Feed each partition's receipts in offset order; a receipt at or below
    /// the tenant's current `seq` is skipped, so restoring twice is harmless. Hashes and links are not checked
    /// here (that is ``ChainVerifier``'s job): restoring 100,000 tenants must be fast.
    /// - Throws: ``ReceiptError`` when the bytes are not a receipt.
    public mutating func restore(from receiptBytes: [UInt8]) throws(ReceiptError) {
        try restore(StoredReceipt(parsing: receiptBytes))
    }

    /// ``restore(from:)`` for a receipt already parsed.
    public mutating func restore(_ receipt: StoredReceipt) {
        let capacity = dedupWindow
        modifyChain(of: receipt.tenantID) { chain in
            guard receipt.seq > chain.seq else { return }
            chain.seq = receipt.seq
            chain.head = receipt.hash
            if let eventID = receipt.recordedEventID {
                chain.recentIDs.insert(DedupWindow.EventIDs(eventID: eventID, pubsubMessageID: receipt.pubsubMessageID), capacity: capacity)
            }
        }
    }

    /// Forgets tenants, e.g. those of partitions revoked from this worker.
    public mutating func removeTenants(where shouldRemove: (String) -> Bool) {
        chains = chains.filter { !shouldRemove($0.key) }
    }

    /// Mutates a tenant's chain in place (creating an empty one), without copying its dedup window.
    private mutating func modifyChain<Result>(
        of tenantID: String,
        _ body: (inout TenantChain) -> Result
    ) -> Result {
        body(&chains[tenantID, default: TenantChain()])
    }
}
