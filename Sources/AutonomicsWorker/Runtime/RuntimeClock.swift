/// The time the runtime measures its deadlines and intervals with: `ContinuousClock` in production; tests inject a
/// clock they advance themselves. (The waits themselves block a thread the runtime owns, for at most what the
/// injected clock says is left.)
public protocol RuntimeClock: Sendable {
    var now: ContinuousClock.Instant { get }
}

extension ContinuousClock: RuntimeClock {}
