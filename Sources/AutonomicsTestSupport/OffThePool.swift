import Dispatch

/// Runs blocking work (librdkafka calls that wait on the network) on a Dispatch thread rather than on Swift's
/// cooperative pool, in the calling task: task-locals such as the current test stay, so expectations inside
/// `body` are recorded against the test as usual.
public func offThePool<T>(_ body: () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(BlockingExecutor.shared) { try body() }
}

/// A task executor on a concurrent Dispatch queue: its threads are Dispatch's own, not the cooperative pool's.
private final class BlockingExecutor: TaskExecutor {
    static let shared = BlockingExecutor()
    private let queue = DispatchQueue(label: "autonomics.tests.blocking", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
