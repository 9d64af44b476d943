import DequeModule
import Foundation

/// An unbounded FIFO that one thread waits on and any thread posts to. Its bound is kept by whoever posts
/// (the polling thread pauses its partitions when a shard falls behind), not by blocking the poster.
///
/// Thread safety: every access to `items` holds `condition`'s lock, hence the unchecked conformance.
final class Mailbox<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = Deque<Item>()

    func post(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// Takes every item there is now, without waiting.
    func takeAvailable() -> Deque<Item> {
        condition.lock()
        defer { condition.unlock() }
        let taken = items
        items = []
        return taken
    }

    /// Waits until there is at least one item, then takes them all.
    func takeAll() -> Deque<Item> {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            condition.wait()
        }
        let taken = items
        items = []
        return taken
    }
}
