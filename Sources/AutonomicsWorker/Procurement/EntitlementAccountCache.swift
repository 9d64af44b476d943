import DequeModule

/// Entitlement name → account id, for at most `capacity` entitlements, the least recently seen evicted first.
///
/// What may be cached: only the account. An entitlement never moves to another account, so the pair stays true
/// for as long as the entitlement exists; its state, plan and pending plan change with every event that
/// announces a change, so they are read fresh by each GET and never kept. The account is what a GET can no
/// longer tell once the entitlement is gone (404 after `ENTITLEMENT_DELETED`): remembered here, the deletion still
/// reaches its tenant.
///
/// Not thread-safe by itself: ``EntitlementResolver`` keeps it under its lock.
struct EntitlementAccountCache {
    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Names in order of use, oldest first; an entry used again is appended with a new stamp and its older place
    /// is skipped at eviction, so that a use costs O(1).
    private var order: Deque<(name: String, stamp: UInt64)> = []
    private var nextStamp: UInt64 = 0

    private struct Entry {
        var accountID: String
        var stamp: UInt64
    }

    init(capacity: Int) {
        precondition(capacity > 0, "an entitlement cache holds at least one entry")
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// The account of `name`, if known; counts as a use.
    mutating func accountID(of name: String) -> String? {
        guard let accountID = entries[name]?.accountID else { return nil }
        touch(name, accountID: accountID)
        return accountID
    }

    /// Remembers (or refreshes) an entitlement's account, evicting the least recently used beyond ``capacity``.
    mutating func insert(_ name: String, accountID: String) {
        touch(name, accountID: accountID)
        while entries.count > capacity, let oldest = order.popFirst() {
            if entries[oldest.name]?.stamp == oldest.stamp { entries[oldest.name] = nil }
        }
        // Places left behind by repeated uses: dropped once they outnumber the entries, so the order stays O(capacity).
        if order.count > 2 * capacity {
            order = Deque(order.filter { entries[$0.name]?.stamp == $0.stamp })
        }
    }

    private mutating func touch(_ name: String, accountID: String) {
        nextStamp &+= 1
        entries[name] = Entry(accountID: accountID, stamp: nextStamp)
        order.append((name, nextStamp))
    }
}
