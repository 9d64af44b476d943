/// The receipt hash chains of the tenants on the partitions one worker owns: per tenant the last `seq`, the head
/// hash (32 raw bytes) and a bounded window of recent event ids for deduplication.
///
/// Not thread-safe by itself: one governor shard owns one ledger, or its tenants' part of one.
public struct ReceiptLedger: Sendable {
    /// The canonical SHA-256 of the loaded SKU spec, stamped on every receipt as `spec_hash`.
    public let specHash: String?
    /// How many recent ids each tenant remembers (an enveloped event takes two: its event id and message id).
    public let dedupWindow: Int

    private var chains: [String: TenantChain] = [:]

    private struct TenantChain: Sendable {
        var seq: Int64 = 0
        var head: SHA256Hash = .zero
        var recentIDs = DedupWindow()
    }

    public init(specHash: String? = nil, dedupWindow: Int = 32) {
        precondition(dedupWindow >= 0, "dedupWindow must not be negative")
        self.specHash = specHash
        self.dedupWindow = dedupWindow
    }

    /// How many tenants have a chain here.
    public var tenantCount: Int {
        chains.count
    }

    /// The last receipt's `seq` and `hash` of a tenant, nil if it has none here.
    public func head(of tenantID: String) -> (seq: Int64, hash: String)? {
        chains[tenantID].map { ($0.seq, $0.head.hex) }
    }

    /// Chains a receipt of kind `event` for `event`.
    /// - Parameter now: the worker's clock in milliseconds since the epoch, written as `time`.
    /// - Returns: nil when the event is a duplicate: its event id or Pub/Sub message id is in the tenant's window.
    public mutating func record(_ event: NormalizedEvent, now: Int64) -> Receipt? {
        let (specHash, capacity) = (specHash, dedupWindow)
        return modifyChain(of: event.tenantID) { chain in
            guard !chain.recentIDs.contains(eventID: event.eventID, pubsubMessageID: event.pubsubMessageID) else {
                return nil
            }
            var fields: [(key: String, value: JSONValue)] = [
                ("event_id", .string(event.eventID)),
                ("event_type", .string(event.eventType)),
                ("format", .string(event.format.rawValue)),
                ("tenant_resolution", .string(event.tenantResolution)),
                (
                    "source",
                    [
                        "topic": .string(event.origin.topic),
                        "partition": .integer(Int64(event.origin.partition)),
                        "offset": .integer(event.origin.offset),
                    ]
                ),
                ("event_time", .string(RFC3339.format(milliseconds: event.eventTime))),
                ("data", .object(event.data)),
            ]
            if let messageID = event.pubsubMessageID { fields.append(("pubsub_message_id", .string(messageID))) }
            chain.recentIDs.insert(eventID: event.eventID, pubsubMessageID: event.pubsubMessageID, capacity: capacity)
            return Self.link(
                kind: "event",
                tenantID: event.tenantID,
                fields: fields,
                now: now,
                specHash: specHash,
                to: &chain
            )
        }
    }

    /// Chains a receipt of any kind (a transition, a refusal, an action result, …) for a tenant.
    /// - Parameter fields: the receipt's own members: strings, booleans, integers within ±(2^53 − 1), null,
    ///   arrays and objects of those. Must not use the chain's keys (`kind`, `tenant_id`, `seq`, `prev_hash`,
    ///   `hash`, `time`, `spec_hash`, `signature`); both are programmer errors and trap.
    public mutating func append(kind: String, tenantID: String, fields: [String: JSONValue], now: Int64) -> Receipt {
        precondition(
            Receipt.reservedKeys.allSatisfy { fields[$0] == nil },
            "receipt fields must not set \(Receipt.reservedKeys.sorted())"
        )
        let specHash = specHash
        return modifyChain(of: tenantID) { chain in
            Self.link(kind: kind, tenantID: tenantID, fields: fields, now: now, specHash: specHash, to: &chain)
        }
    }

    /// Adds the chain members to `fields`, hashes, and advances `chain`.
    private static func link(
        kind: String,
        tenantID: String,
        fields: some Sequence<(key: String, value: JSONValue)>,
        now: Int64,
        specHash: String?,
        to chain: inout TenantChain
    ) -> Receipt {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(fields.underestimatedCount + 7)
        members.append(contentsOf: fields)
        members.append(("kind", .string(kind)))
        members.append(("tenant_id", .string(tenantID)))
        members.append(("seq", .integer(chain.seq + 1)))
        members.append(("prev_hash", .string(chain.head.hex)))
        members.append(("time", .string(RFC3339.format(milliseconds: now))))
        if let specHash { members.append(("spec_hash", .string(specHash))) }
        var hash = SHA256Hash.zero
        var hashText = ""
        let bytes = CanonicalJSON.encode(members, addingMember: "hash") { content in
            hash = SHA256Hash(of: content)
            hashText = hash.hex
            return .string(hashText)
        }
        chain.seq += 1
        chain.head = hash
        return Receipt(tenantID: tenantID, seq: chain.seq, hash: hashText, bytes: bytes)
    }

    /// Advances a tenant's chain head and dedup window to a receipt already on the ledger topic, for restoring
    /// the partitions a worker is assigned. Feed each partition's receipts in offset order; a receipt at or below
    /// the tenant's current `seq` is skipped, so restoring twice is harmless. Hashes and links are not checked
    /// here (that is ``ChainVerifier``'s job): restoring 100,000 tenants must be fast.
    /// - Throws: ``ReceiptError`` when the bytes are not a receipt.
    public mutating func restore(from receiptBytes: [UInt8]) throws(ReceiptError) {
        let receipt = try StoredReceipt(parsing: receiptBytes)
        let capacity = dedupWindow
        modifyChain(of: receipt.tenantID) { chain in
            guard receipt.seq > chain.seq else { return }
            chain.seq = receipt.seq
            chain.head = receipt.hash
            if let eventID = receipt.recordedEventID {
                chain.recentIDs.insert(eventID: eventID, pubsubMessageID: receipt.pubsubMessageID, capacity: capacity)
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
