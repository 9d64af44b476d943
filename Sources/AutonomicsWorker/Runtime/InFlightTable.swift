import DequeModule

/// Messages a shard has produced and whose delivery reports have not arrived, by the serial the shard gave each.
///
/// Serials are handed out in increasing order and reports come back mostly in that order, so the table is a window
/// of slots starting at the oldest unreported serial: insert and remove cost no hashing, and the window's front
/// moves on as its oldest entries are reported.
struct InFlightTable<Entry> {
    /// Slot `i` holds serial `firstSerial + i`; nil once reported (or released).
    private var slots: Deque<Entry?> = []
    private var firstSerial: UInt64 = 1
    private(set) var count = 0

    /// The serial of the next ``insert(_:)``.
    var nextSerial: UInt64 { firstSerial &+ UInt64(slots.count) }

    /// Keeps `entry` under the next serial, and returns it.
    mutating func insert(_ entry: Entry) -> UInt64 {
        let serial = nextSerial
        slots.append(entry)
        count += 1
        return serial
    }

    /// Takes the entry of `serial` out; nil if it is unknown or already taken.
    mutating func remove(_ serial: UInt64) -> Entry? {
        guard serial >= firstSerial, serial < nextSerial else { return nil }
        let index = Int(serial - firstSerial)
        guard let entry = slots[index] else { return nil }
        slots[index] = nil
        count -= 1
        trimFront()
        return entry
    }

    /// Takes out every entry `isReleased` selects, and returns them.
    mutating func removeAll(where isReleased: (Entry) -> Bool) -> [Entry] {
        var removed: [Entry] = []
        for index in slots.indices {
            if let entry = slots[index], isReleased(entry) {
                slots[index] = nil
                removed.append(entry)
            }
        }
        count -= removed.count
        trimFront()
        return removed
    }

    private mutating func trimFront() {
        while let first = slots.first, first == nil {
            slots.removeFirst()
            firstSerial &+= 1
        }
    }
}
