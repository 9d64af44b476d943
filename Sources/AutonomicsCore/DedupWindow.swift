import DequeModule

/// The most recent ids of one tenant's events, as 64-bit fingerprints in a bounded ring: 8 bytes per id whatever
/// its length, so that 100,000 tenants fit in tens of MiB.
///
/// FNV-1a is enough here: it is stable across processes (the window is rebuilt from receipts after a restart), and
/// a false duplicate needs two ids of the same tenant within one window to collide in 64 bits.
struct DedupWindow: Sendable {
    private var fingerprints = Deque<UInt64>()

    /// The fingerprints of one event's ids. Event ids and Pub/Sub message ids are fingerprinted apart, so that one
    /// never matches the other.
    struct EventIDs: Sendable {
        var event: UInt64
        var message: UInt64?

        init(eventID: UnsafeBufferPointer<UInt8>, pubsubMessageID: UnsafeBufferPointer<UInt8>?) {
            event = DedupWindow.fnv1a(eventID, namespace: UInt8(ascii: "e"))
            message = pubsubMessageID.map { DedupWindow.fnv1a($0, namespace: UInt8(ascii: "m")) }
        }

        init(eventID: String, pubsubMessageID: String?) {
            self = eventID.withUTF8Bytes { eventID in
                guard let pubsubMessageID else { return EventIDs(eventID: eventID, pubsubMessageID: nil) }
                return pubsubMessageID.withUTF8Bytes { EventIDs(eventID: eventID, pubsubMessageID: $0) }
            }
        }
    }

    /// Whether the event id, or the Pub/Sub message id, is among the remembered ones.
    func contains(_ ids: EventIDs) -> Bool {
        fingerprints.contains(ids.event) || ids.message.map(fingerprints.contains) == true
    }

    /// Remembers the event id and the Pub/Sub message id (each takes a slot), forgetting the oldest beyond `capacity`.
    mutating func insert(_ ids: EventIDs, capacity: Int) {
        insert(ids.event, capacity: capacity)
        if let message = ids.message { insert(message, capacity: capacity) }
    }

    private mutating func insert(_ fingerprint: UInt64, capacity: Int) {
        guard capacity > 0 else { return }
        if fingerprints.isEmpty { fingerprints.reserveCapacity(capacity) }
        if fingerprints.count == capacity { fingerprints.removeFirst() }
        fingerprints.append(fingerprint)
    }

    private static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>, namespace: UInt8) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        hash = (hash ^ UInt64(namespace)) &* 0x0000_0100_0000_01B3
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
