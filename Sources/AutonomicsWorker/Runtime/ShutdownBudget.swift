import Foundation
import Synchronization

/// The time the worker has to stop, shared by every drain, close and flush of every stage: it starts when the
/// first of them asks for the deadline, so that one slow stage leaves the others less, never more, than the
/// configured total.
final class ShutdownBudget: Sendable {
    let clock: any RuntimeClock
    private let total: Duration
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    init(total: Duration, clock: any RuntimeClock = ContinuousClock()) {
        self.total = total
        self.clock = clock
    }

    /// When stopping must be done; the first call starts the budget.
    func deadline() -> ContinuousClock.Instant {
        started.withLock { started in
            let deadline = started ?? clock.now + total
            started = deadline
            return deadline
        }
    }

    /// What is left of the budget (all of it until someone asks for the deadline).
    func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.zero, deadline - clock.now)
    }

    /// Runs a blocking call on a new thread and waits for it until `deadline`. A call still running then is left to
    /// finish on its own (it keeps what it uses alive), so that a hung C call never keeps the process from exiting.
    /// - Returns: whether the call returned in time.
    func run(by deadline: ContinuousClock.Instant, name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread {
            Thread.current.name = name
            body()
            done.signal()
        }.start()
        return done.wait(timeout: .now() + .milliseconds(Int(remaining(until: deadline).milliseconds))) == .success
    }
}
