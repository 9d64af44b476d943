import GCP
import Testing

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    func breaker(threshold: Int = 3, open: Duration = .seconds(30)) -> CircuitBreaker {
        var configuration = CircuitBreaker.Configuration()
        configuration.failureThreshold = threshold
        configuration.openDuration = open
        return CircuitBreaker(configuration: configuration)
    }

    @Test("Closed: counts consecutive failures and opens at the threshold")
    func opensAtThreshold() {
        var breaker = self.breaker()
        #expect(breaker.acquire(now: .zero) == .allow)
        breaker.recordFailure(now: .seconds(1))
        breaker.recordFailure(now: .seconds(2))
        #expect(breaker.state == .closed(failures: 2))
        breaker.recordFailure(now: .seconds(3))
        #expect(breaker.state == .open(until: .seconds(33)))
        #expect(breaker.acquire(now: .seconds(10)) == .reject(retryIn: .seconds(23)))
    }

    @Test("A success resets the count")
    func successResets() {
        var breaker = self.breaker()
        breaker.recordFailure(now: .zero)
        breaker.recordFailure(now: .zero)
        breaker.recordSuccess()
        breaker.recordFailure(now: .zero)
        #expect(breaker.state == .closed(failures: 1))
    }

    @Test("Open → half-open: one probe, the others refused; its success closes")
    func probeSucceeds() {
        var breaker = self.breaker(threshold: 1)
        breaker.recordFailure(now: .zero)
        #expect(breaker.acquire(now: .seconds(30)) == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.acquire(now: .seconds(30)) == .reject(retryIn: .zero))
        breaker.recordSuccess()
        #expect(breaker.state == .closed(failures: 0))
        #expect(breaker.acquire(now: .seconds(31)) == .allow)
    }

    @Test("A failed probe opens the breaker again for the full duration")
    func probeFails() {
        var breaker = self.breaker(threshold: 2)
        breaker.recordFailure(now: .zero)
        breaker.recordFailure(now: .zero)
        #expect(breaker.acquire(now: .seconds(40)) == .probe)
        breaker.recordFailure(now: .seconds(40))
        #expect(breaker.state == .open(until: .seconds(70)))
        #expect(breaker.acquire(now: .seconds(69)) == .reject(retryIn: .seconds(1)))
    }

    @Test("An abandoned probe lets the next caller probe")
    func abandonedProbe() {
        var breaker = self.breaker(threshold: 1)
        breaker.recordFailure(now: .zero)
        #expect(breaker.acquire(now: .seconds(31)) == .probe)
        breaker.recordAbandoned(now: .seconds(32))
        #expect(breaker.acquire(now: .seconds(32)) == .probe)
        // Abandoning while closed changes nothing.
        var closed = self.breaker()
        closed.recordAbandoned(now: .zero)
        #expect(closed.state == .closed(failures: 0))
    }

    @Test("Gauge values: closed 0, half-open 1, open 2")
    func gauge() {
        #expect(CircuitBreaker.State.closed(failures: 4).gaugeValue == 0)
        #expect(CircuitBreaker.State.halfOpen.gaugeValue == 1)
        #expect(CircuitBreaker.State.open(until: .zero).gaugeValue == 2)
    }
}
