import AutonomicsTestSupport
import Testing

@testable import AutonomicsWorker

@Suite("Timing decisions on an injected clock")
struct TimingTests {
    @Test("the broker counts as unreachable only after the configured time without an answer, and as back at once")
    func reachability() {
        let clock = ManualClock()
        var reachability = BrokerReachability(unreachableAfter: .seconds(10))
        #expect(!reachability.isReachable, "not before the first answer")
        reachability.probeSucceeded(at: clock.now)
        #expect(reachability.isReachable)
        clock.advance(by: .seconds(9))
        reachability.probeFailed(at: clock.now)
        #expect(reachability.isReachable, "a blip does not flap /ready")
        clock.advance(by: .seconds(1))
        reachability.probeFailed(at: clock.now)
        #expect(!reachability.isReachable)
        clock.advance(by: .seconds(60))
        reachability.probeSucceeded(at: clock.now)
        #expect(reachability.isReachable)
    }

    @Test("the shutdown budget starts with the first deadline asked for and is shared by everyone after")
    func shutdownBudget() {
        let clock = ManualClock()
        let budget = ShutdownBudget(total: .seconds(15), clock: clock)
        clock.advance(by: .seconds(100))   // idle time before shutdown does not count
        let deadline = budget.deadline()
        #expect(budget.remaining(until: deadline) == .seconds(15))
        clock.advance(by: .seconds(12))
        #expect(budget.deadline() == deadline, "a second stage gets the same deadline, not a fresh one")
        #expect(budget.remaining(until: budget.deadline()) == .seconds(3))
        clock.advance(by: .seconds(5))
        #expect(budget.remaining(until: deadline) == .zero)
    }
}
