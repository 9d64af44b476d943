import DequeModule

/// Tracks the records of one partition from consumption until they are finished, and tells which offset may be
/// committed: the one after the longest prefix of finished records.
///
/// Offsets need not be contiguous (compaction and transaction markers leave holes), so entries keep their own offset.
/// Records finish out of order (a duplicate finishes at once, a produced record when its delivery report arrives), so
/// the commit point only moves past a record when everything before it has finished too.
struct OffsetTracker {
    private struct Entry {
        var offset: Int64
        var isFinished = false
    }

    /// In consumption order. Finished entries at the front are dropped as the commit point moves.
    private var entries: Deque<Entry> = []
    /// The next offset to consume after everything finished so far; nil until the first record finishes.
    private(set) var committableOffset: Int64?
    /// Records begun and not finished yet.
    private(set) var unfinishedCount = 0

    /// Registers a consumed record, in consumption order.
    mutating func begin(_ offset: Int64) {
        entries.append(Entry(offset: offset))
        unfinishedCount += 1
    }

    /// Registers consumed records, in consumption order.
    mutating func begin(_ offsets: some Sequence<Int64>) {
        for offset in offsets { begin(offset) }
    }

    /// Marks records finished, as ``finish(_:)-(Int64)`` does each.
    mutating func finish(_ offsets: some Sequence<Int64>) {
        for offset in offsets { finish(offset) }
    }

    /// Marks a record finished and advances the commit point over the finished prefix. Unknown or already
    /// finished offsets change nothing.
    mutating func finish(_ offset: Int64) {
        // Records mostly finish in order: the oldest entry is the usual one.
        let index = entries.first?.offset == offset ? entries.startIndex : index(of: offset)
        guard let index, !entries[index].isFinished else { return }
        entries[index].isFinished = true
        unfinishedCount -= 1
        while let first = entries.first, first.isFinished {
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
    public func partitioningIndex(where predicate: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = index(low, offsetBy: distance(from: low, to: high) / 2)
            if predicate(self[middle]) { high = middle } else { low = index(after: middle) }
        }
        return low
    }
}
