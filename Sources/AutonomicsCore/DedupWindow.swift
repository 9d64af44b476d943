import DequeModule

/// The most recent ids of one tenant's events, as 64-bit fingerprints in a bounded ring: 8 bytes per id whatever
/// its length, so that 100,000 tenants fit in tens of MiB.
///
/// FNV-1a is enough here: it is stable across processes (the window is rebuilt from receipts after a restart), and
/// a false duplicate needs two ids of the same tenant within one window to collide in 64 bits.
struct DedupWindow: Sendable {
    private var fingerprints = Deque<UInt64>()

    /// Whether the event id, or the Pub/Sub message id, is among the remembered ones.
    func contains(eventID: String, pubsubMessageID: String?) -> Bool {
        fingerprints.contains(Self.fingerprint(eventID: eventID))
            || pubsubMessageID.map { fingerprints.contains(Self.fingerprint(pubsubMessageID: $0)) } == true
    }

    /// Remembers the event id and the Pub/Sub message id (each takes a slot), forgetting the oldest beyond `capacity`.
    mutating func insert(eventID: String, pubsubMessageID: String?, capacity: Int) {
        insert(Self.fingerprint(eventID: eventID), capacity: capacity)
        if let pubsubMessageID { insert(Self.fingerprint(pubsubMessageID: pubsubMessageID), capacity: capacity) }
    }

    private mutating func insert(_ fingerprint: UInt64, capacity: Int) {
        guard capacity > 0 else { return }
        if fingerprints.isEmpty { fingerprints.reserveCapacity(capacity) }
        if fingerprints.count == capacity { fingerprints.removeFirst() }
        fingerprints.append(fingerprint)
    }

    // Event ids and Pub/Sub message ids are fingerprinted apart, so that one never matches the other.

    private static func fingerprint(eventID: String) -> UInt64 {
        fnv1a(eventID, namespace: UInt8(ascii: "e"))
    }

    private static func fingerprint(pubsubMessageID: String) -> UInt64 {
        fnv1a(pubsubMessageID, namespace: UInt8(ascii: "m"))
    }

    private static func fnv1a(_ text: String, namespace: UInt8) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        hash = (hash ^ UInt64(namespace)) &* 0x0000_0100_0000_01B3
        text.withUTF8Bytes { bytes in
            for byte in bytes {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
        }
        return hash
    }
}
