import AutonomicsWorker
import Synchronization

/// A clock that moves only when the test advances it.
public final class ManualClock: RuntimeClock {
    private let instant = Mutex(ContinuousClock.now)

    public init() {}

    public var now: ContinuousClock.Instant { instant.withLock { $0 } }

    public func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}
