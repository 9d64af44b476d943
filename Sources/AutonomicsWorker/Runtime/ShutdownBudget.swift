import Foundation
import Synchronization

/// The time the worker has to stop, shared by every drain, close and flush of every stage: it starts when the
/// first of them asks for the deadline, so that one slow stage leaves the others less, never more, than the
/// configured total.
final class ShutdownBudget: Sendable {
    private let total: Duration
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    init(total: Duration) {
        self.total = total
    }

    /// When stopping must be done; the first call starts the budget.
    func deadline() -> ContinuousClock.Instant {
        started.withLock { started in
            let deadline = started ?? .now + total
            started = deadline
            return deadline
        }
    }

    /// Runs a blocking call on a new thread and waits for it until `deadline`. A call still running then is left to
    /// finish on its own (it keeps what it uses alive), so that a hung C call never keeps the process from exiting.
    /// - Returns: whether the call returned in time.
    static func run(by deadline: ContinuousClock.Instant, name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread {
            Thread.current.name = name
            body()
            done.signal()
        }.start()
        let remaining = max(.zero, deadline - .now)
        return done.wait(timeout: .now() + .milliseconds(Int(remaining.milliseconds))) == .success
    }
}
