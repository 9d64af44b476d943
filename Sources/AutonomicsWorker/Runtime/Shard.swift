import AutonomicsCore
import DequeModule
import Foundation
import Kafka
import Logging
import Synchronization

/// One serial executor of a stage: a thread it owns, a mailbox, and a handler that sees the shard's records one at
/// a time. Records of one key always go to one shard (``ShardRouter``), so a tenant's events stay in order.
///
/// An inline shard (a stage's only one) has no thread: what the polling thread posts to it runs at once, which spares
/// a hand-over per batch where there is nothing to spread; what other threads send it waits in its mailbox until the
/// polling thread's next turn (``runSent()``).
///
/// Thread safety: the handler and the outbox are touched only by the shard's thread (or, inline, the polling
/// thread); other threads only send to the mailbox (``send(_:)``) and read the atomic backlog, hence the unchecked
/// conformance.
final class Shard<Handler: ShardHandler>: @unchecked Sendable {
    enum Item {
        case records([KafkaMessage])
        case deliveries([KafkaDeliveryReport])
        /// Runs on the shard's thread, in mailbox order: restoring and releasing partitions, and whatever else
        /// another part of the worker has for this shard's tenants.
        case perform(@Sendable (Handler, ShardOutbox<Handler>) -> Void)
        case stop
    }

    let index: Int
    private let isInline: Bool
    private let mailbox = Mailbox<Item>()
    private let handler: Handler
    private let outbox: ShardOutbox<Handler>
    private let now: @Sendable () -> Int64
    private let stage: WorkerMetrics.Stage
    private let metrics: WorkerMetrics
    /// Records posted and not yet taken by the thread.
    private let queued = Atomic<Int>(0)
    /// Records taken and not yet finished, as last published by the thread.
    private let held = Atomic<Int>(0)
    private let stopped = DispatchSemaphore(value: 0)

    init(
        index: Int, isInline: Bool, handler: Handler, outbox: ShardOutbox<Handler>, stage: WorkerMetrics.Stage,
        metrics: WorkerMetrics, now: @escaping @Sendable () -> Int64
    ) {
        self.index = index
        self.isInline = isInline
        self.handler = handler
        self.outbox = outbox
        self.stage = stage
        self.metrics = metrics
        self.now = now
        outbox.sendToShard = { [weak self] item in self?.send(item) }
    }

    /// Records given to this shard and not finished: waiting in the mailbox, held by the handler or in flight.
    var backlog: Int { queued.load(ordering: .relaxed) + held.load(ordering: .relaxed) }

    func start(name: String) {
        guard !isInline else { return }
        let thread = Thread { [self] in
            Thread.current.name = name
            run()
            stopped.signal()
        }
        thread.start()
    }

    func post(_ records: [KafkaMessage]) {
        queued.add(records.count, ordering: .relaxed)
        post(.records(records))
    }

    /// Posts from the stage's polling thread: an inline shard runs the item at once.
    func post(_ item: Item) {
        if isInline {
            _ = process(item)
            endOfBatch()
        } else {
            mailbox.post(item)
        }
    }

    /// Sends an item from any thread (an action's result, a query): it runs on the shard's thread, or for an inline
    /// shard on the polling thread's next turn, after whatever was posted before it.
    func send(_ item: Item) {
        mailbox.post(item)
    }

    /// Runs what other threads sent an inline shard; called by the polling thread.
    func runSent() {
        guard isInline else { return }
        let items = mailbox.takeAvailable()
        guard !items.isEmpty else { return }
        for item in items {
            _ = process(item)
        }
        endOfBatch()
    }

    /// Asks the thread to stop after what is already posted and waits until it has, at most for `timeout`.
    /// - Returns: whether the thread stopped in time.
    func stop(within timeout: Duration) -> Bool {
        guard !isInline else { return true }
        mailbox.post(.stop)
        return stopped.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .success
    }

    private func endOfBatch() {
        outbox.flushFinished()
        handler.endOfBatch()
        held.store(outbox.heldCount, ordering: .relaxed)
    }

    private func run() {
        while true {
            for item in mailbox.takeAll() where !process(item) {
                endOfBatch()
                return
            }
            endOfBatch()
        }
    }

    /// Handles one mailbox item; false for `.stop`.
    private func process(_ item: Item) -> Bool {
        switch item {
        case .records(let records):
            // Counted as held from now, before the handler sees them: the backlog never dips meanwhile.
            held.add(records.count, ordering: .relaxed)
            queued.subtract(records.count, ordering: .relaxed)
            let started = ContinuousClock.now
            let instant = now()
            for record in records {
                outbox.hold(record)
                outbox.settle(record, handler.handle(record, now: instant, outbox: outbox))
            }
            metrics.recordBatch(stage: stage, duration: ContinuousClock.now - started)
        case .deliveries(let reports):
            for report in reports {
                outbox.settle(report, handler: handler)
            }
        case .perform(let body):
            body(handler, outbox)
        case .stop:
            return false
        }
        return true
    }
}

/// Routes a key to a shard: FNV-1a of its bytes, stable across processes and restarts.
struct ShardRouter {
    let shardCount: Int

    /// The shard of a record keyed by tenant; a record without a key goes to shard 0.
    func shard(forKey key: [UInt8]?) -> Int {
        guard shardCount > 1, let key else { return 0 }
        return shard(ofBytes: key)
    }

    /// The shard of a tenant: the one its tenant events are routed to (they are keyed by tenant id).
    func shard(forTenant tenantID: String) -> Int {
        shardCount > 1 ? shard(ofBytes: tenantID.utf8) : 0
    }

    private func shard(ofBytes bytes: some Sequence<UInt8>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(shardCount))
    }
}

/// A failure that must stop the stage, raised on any of its threads and thrown by the polling thread.
final class StageFailure: Sendable {
    private let error = Mutex<(any Error)?>(nil)

    /// Keeps the first failure; later ones are consequences.
    func raise(_ failure: any Error) {
        error.withLock { if $0 == nil { $0 = failure } }
    }

    func check() throws {
        if let failure = error.withLock({ $0 }) { throw failure }
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
