import DequeModule

/// Tracks the records of one partition from consumption until their outputs are delivered, and tells which offset
/// may be committed: the one after the longest prefix of finished records.
///
/// Offsets need not be contiguous (compaction and transaction markers leave holes), so entries keep their own offset.
/// Records finish out of order (a duplicate finishes at once, a produced record when its delivery report arrives), so
/// the commit point only moves past a record when everything before it has finished too.
struct OffsetTracker<Pending> {
    private struct Entry {
        var offset: Int64
        var pending: Pending?
        var isFinished: Bool { pending == nil }
    }

    /// In consumption order; `pending == nil` once finished. Finished entries at the front are dropped as the commit point moves.
    private var entries: Deque<Entry> = []
    /// The next offset to consume after everything finished so far; nil until the first record.
    private(set) var committableOffset: Int64?

    /// Registers a consumed record whose output is still in flight; `pending` is kept until it finishes.
    mutating func begin(_ offset: Int64, pending: Pending) {
        entries.append(Entry(offset: offset, pending: pending))
    }

    /// Registers a consumed record that needed no output (for example a duplicate).
    mutating func skip(_ offset: Int64) {
        if entries.isEmpty {
            committableOffset = offset + 1
        } else {
            entries.append(Entry(offset: offset, pending: nil))
        }
    }

    /// The pending value of an in-flight record, or nil if it is unknown or finished.
    func pending(at offset: Int64) -> Pending? {
        index(of: offset).flatMap { entries[$0].pending }
    }

    /// Marks a record finished and advances the commit point over the finished prefix.
    mutating func finish(_ offset: Int64) {
        // Deliveries mostly finish in order: the oldest entry is the usual one.
        let index = entries.first?.offset == offset ? entries.startIndex : index(of: offset)
        guard let index else { return }
        entries[index].pending = nil
        while !entries.isEmpty, entries[entries.startIndex].isFinished {
            committableOffset = entries.removeFirst().offset + 1
        }
    }

    /// Entries are in increasing offset order.
    private func index(of offset: Int64) -> Int? {
        let index = entries.partitioningIndex { $0.offset >= offset }
        return index < entries.endIndex && entries[index].offset == offset ? index : nil
    }
}

extension RandomAccessCollection {
    /// The first index whose element satisfies `predicate`, in a collection partitioned by it: a binary search.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if predicate(self[middle]) { high = middle } else { low = index(after: middle) }
        }
        return low
    }
}
