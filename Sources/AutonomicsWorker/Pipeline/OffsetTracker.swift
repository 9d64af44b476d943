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
        guard let index = index(of: offset) else { return }
        entries[index].pending = nil
        while let first = entries.first, first.pending == nil {
            committableOffset = first.offset + 1
            entries.removeFirst()
        }
    }

    /// Binary search: entries are in increasing offset order.
    private func index(of offset: Int64) -> Int? {
        var low = entries.startIndex
        var high = entries.endIndex
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < entries.endIndex && entries[low].offset == offset ? low : nil
    }
}
