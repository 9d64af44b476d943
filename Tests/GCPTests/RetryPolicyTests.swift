import Foundation
import GCP
import Testing

@Suite("Retry policy and Retry-After")
struct RetryPolicyTests {
    @Test("Backoff ceilings double from the initial value up to the cap")
    func ceilings() {
        var policy = RetryPolicy()
        policy.initialBackoff = .milliseconds(100)
        policy.maxBackoff = .seconds(1)
        let ceilings = (1...6).map { policy.ceiling(afterAttempt: $0) }
        #expect(ceilings == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }

    @Test("Full jitter: the delay is the ceiling scaled by the random value")
    func fullJitter() {
        var policy = RetryPolicy()
        policy.initialBackoff = .milliseconds(100)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0) == .zero)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 1) == .milliseconds(400))
    }

    @Test("Retry-After wins when it asks for longer, and is never shortened")
    func retryAfterWins() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), random: 1) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .milliseconds(1), random: 1) == .milliseconds(200))
        // A Retry-After beyond the cap is honoured: the server knows best.
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(60), random: 0) == .seconds(60))
    }

    @Test("Retry-After as delay-seconds")
    func retryAfterSeconds() {
        let now = Date()
        #expect(RetryAfter.parse("0", now: now) == .zero)
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 3 ", now: now) == .seconds(3))
    }

    @Test("Retry-After as an HTTP date, in all three forms RFC 9110 accepts")
    func retryAfterDate() {
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:17 GMT", now: now) == .zero)
    }

    @Test("Nonsense is no Retry-After", arguments: ["", "soon", "-5", "1.5", "Sun, 99 Nov 1994 08:49:37 GMT"])
    func retryAfterInvalid(value: String) {
        #expect(RetryAfter.parse(value, now: Date()) == nil)
    }
}
