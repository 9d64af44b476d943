import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Asks a loop running on its own thread to finish.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    public var isRequested: Bool { requested.load(ordering: .acquiring) }

    public func request() { requested.store(true, ordering: .releasing) }
}

/// Runs a blocking loop on a thread it owns (librdkafka must never block Swift's cooperative pool) as a Service:
/// graceful shutdown and cancellation both ask the loop to stop; the loop then drains and returns.
public struct ThreadService: Service {
    let name: String
    let body: @Sendable (StopSignal) throws -> Void

    public init(name: String, body: @escaping @Sendable (StopSignal) throws -> Void) {
        self.name = name
        self.body = body
    }

    public func run() async throws {
        let stop = StopSignal()
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await Self.runOnDedicatedThread(name: name) { try body(stop) }
            } onGracefulShutdown: {
                stop.request()
            }
        } onCancel: {
            stop.request()
        }
    }

    /// Starts `body` on a new thread and suspends until it returns or throws.
    public static func runOnDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // Named from inside: Foundation applies a name to the OS thread (seen in top -H, perf) only for the current thread.
            Thread {
                Thread.current.name = name
                continuation.resume(with: Result { try body() })
            }.start()
        }
    }
}
