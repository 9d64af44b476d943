import Foundation

/// Time and chance as the GCP layer sees them, injected so that tests control retries, breakers and expiry.
public struct GCPClock: Sendable {
    /// Monotonic time since an arbitrary origin.
    public var now: @Sendable () -> Duration
    /// Wall-clock time, for token expiry and JWT claims.
    public var wallClock: @Sendable () -> Date
    /// Suspends the caller; throws when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A uniformly random number in `0..<1`, for jitter.
    public var random: @Sendable () -> Double

    public init(
        now: @escaping @Sendable () -> Duration,
        wallClock: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        random: @escaping @Sendable () -> Double
    ) {
        self.now = now
        self.wallClock = wallClock
        self.sleep = sleep
        self.random = random
    }

    /// The process's clocks, `Task.sleep` and the system random generator.
    public static let system: GCPClock = {
        let origin = ContinuousClock.now
        return GCPClock(
            now: { ContinuousClock.now - origin },
            wallClock: { Date() },
            sleep: { try await Task.sleep(for: $0) },
            random: { Double.random(in: 0..<1) })
    }()
}
