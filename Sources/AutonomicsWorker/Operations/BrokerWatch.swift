import Foundation
import Kafka
import Logging

/// Keeps `/ready`'s `kafka.broker` condition live: probes the cluster every `interval` (a metadata request) and
/// reports the broker unreachable once no probe has succeeded for `unreachableAfter` (librdkafka reconnects by
/// itself meanwhile).
struct BrokerWatch: Sendable {
    static let condition = "kafka.broker"

    private let probe: @Sendable () throws -> Void
    private let readiness: WorkerReadiness
    private let logger: Logger
    private let clock: any RuntimeClock
    private let interval: Duration
    private let unreachableAfter: Duration

    /// - Parameter probe: one request to the cluster; throws when no broker answered.
    init(
        unreachableAfter: Duration, readiness: WorkerReadiness, logger: Logger, clock: any RuntimeClock = ContinuousClock(),
        interval: Duration = .seconds(1), probe: @escaping @Sendable () throws -> Void
    ) {
        self.probe = probe
        self.readiness = readiness
        self.logger = logger
        self.clock = clock
        self.interval = interval
        self.unreachableAfter = unreachableAfter
        readiness.register(Self.condition)
    }

    /// Probes until `stop` is requested; runs on a thread of its own (the probe blocks).
    func run(until stop: StopSignal) {
        var reachability = BrokerReachability(unreachableAfter: unreachableAfter)
        while !stop.isRequested {
            let probeStarted = clock.now
            let wasReachable = reachability.isReachable
            do {
                try probe()
                reachability.probeSucceeded(at: clock.now)
            } catch {
                reachability.probeFailed(at: clock.now)
                if wasReachable && !reachability.isReachable {
                    logger.warning("broker unreachable", metadata: ["error": "\(error)"])
                }
            }
            if !wasReachable && reachability.isReachable { logger.info("broker reachable") }
            readiness.set(Self.condition, satisfied: reachability.isReachable)
            while !stop.isRequested, clock.now - probeStarted < interval {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }
}

/// Whether the broker counts as reachable, from the outcomes of probes and when they happened: unreachable until the
/// first success, and again once no probe has succeeded for `unreachableAfter`, so that a blip does not flap `/ready`.
struct BrokerReachability {
    let unreachableAfter: Duration
    private(set) var isReachable = false
    private var lastSuccess: ContinuousClock.Instant?

    init(unreachableAfter: Duration) {
        self.unreachableAfter = unreachableAfter
    }

    mutating func probeSucceeded(at instant: ContinuousClock.Instant) {
        lastSuccess = instant
        isReachable = true
    }

    mutating func probeFailed(at instant: ContinuousClock.Instant) {
        if let lastSuccess, instant - lastSuccess >= unreachableAfter {
            isReachable = false
        }
    }
}
