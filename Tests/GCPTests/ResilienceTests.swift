import Curl
import Foundation
import GCP
import GCPFake
import Testing

/// Retries, Retry-After, deadlines and breakers, over real HTTP against the fake.
@Suite("Resilience against the fake")
struct ResilienceTests {
    @Test("503s are retried on the policy's schedule (injected clock, full jitter at its maximum)")
    func retrySchedule() async throws {
        let clock = ManualClock(random: 1.0)
        try await FakeStack.with(clock: clock.clock, configure: { configuration in
            configuration.retry.initialBackoff = .milliseconds(200)
            configuration.retry.maxBackoff = .seconds(10)
        }) { stack in
            stack.fake.inject(.unavailable, api: .scheduler, times: 3)
            let job = try await stack.scheduler.getJob(jobName)
            #expect(job.state == "ENABLED")
            #expect(clock.sleeps == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
            #expect(stack.fake.requests.filter { $0.api == .scheduler }.map(\.status) == [503, 503, 503, 200])
        }
    }

    @Test("Retries stop after maxAttempts with the last error")
    func maxAttempts() async throws {
        let clock = ManualClock()
        try await FakeStack.with(clock: clock.clock, configure: { $0.retry.maxAttempts = 3 }) { stack in
            stack.fake.inject(.status(500), api: .pubsub, times: 10)
            do {
                _ = try await stack.pubsub.getSubscription(subscriptionName)
                Issue.record("succeeded through 500s")
            } catch let error as GCPError {
                #expect(error.httpStatus == 500)
                #expect(error.status == "INTERNAL")
            }
            #expect(stack.fake.requests.filter { $0.api == .pubsub }.count == 3)
        }
    }

    @Test("A retry that would end after the deadline is not made")
    func retryWithinDeadline() async throws {
        let clock = ManualClock()
        try await FakeStack.with(clock: clock.clock, configure: { $0.retry.initialBackoff = .seconds(20); $0.retry.maxBackoff = .seconds(20) }) { stack in
            stack.fake.inject(.unavailable, api: .run, times: 1)
            do {
                _ = try await stack.transport.send(.run, "GET", path: "v2/" + serviceName, operation: "run.services.get", timeout: .seconds(10))
                Issue.record("retried past the deadline")
            } catch let error as GCPError {
                #expect(error.httpStatus == 503)
            }
            #expect(clock.sleeps.isEmpty)
        }
    }

    @Test("429 with Retry-After waits at least that long (real clock)")
    func retryAfter() async throws {
        try await FakeStack.with { stack in
            _ = try await stack.tokens.token(scope: TokenProvider.cloudPlatformScope)
            stack.fake.inject(.tooManyRequests(retryAfter: "1"), api: .procurement, times: 1)
            let started = ContinuousClock.now
            let entitlement = try await stack.procurement.getEntitlement(entitlementName)
            let elapsed = ContinuousClock.now - started
            #expect(entitlement.name == entitlementName)
            #expect(elapsed >= .seconds(1))
        }
    }

    @Test("Retry-After as an HTTP date is honoured")
    func retryAfterDate() async throws {
        let clock = ManualClock(random: 0)
        try await FakeStack.with(clock: clock.clock) { stack in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let date = formatter.string(from: clock.clock.wallClock().addingTimeInterval(5))
            stack.fake.inject(.tooManyRequests(retryAfter: date), api: .scheduler, times: 1)
            _ = try await stack.scheduler.getJob(jobName)
            let waited = try #require(clock.sleeps.first)
            #expect(waited > .seconds(4) && waited <= .seconds(5))
        }
    }

    @Test("A 503 storm opens the API's breaker; it refuses without a request, then a probe closes it")
    func breakerOpens() async throws {
        let clock = ManualClock()
        try await FakeStack.with(clock: clock.clock, configure: { configuration in
            configuration.retry.maxAttempts = 1
            configuration.breaker.failureThreshold = 3
            configuration.breaker.openDuration = .seconds(30)
        }) { stack in
            stack.fake.inject(.unavailable, api: .run, times: 3)
            for _ in 0..<3 {
                await #expect(throws: GCPError.self) { _ = try await stack.run.getService(serviceName) }
            }
            guard case .open = stack.transport.breakerState(.run) else {
                Issue.record("the breaker is \(stack.transport.breakerState(.run))")
                return
            }
            let sent = stack.fake.requests.count
            do {
                _ = try await stack.run.getService(serviceName)
                Issue.record("an open breaker let a call through")
            } catch let error as GCPError {
                #expect(error.code == .circuitOpen)
            }
            #expect(stack.fake.requests.count == sent)
            // Other APIs have their own breakers.
            #expect(try await stack.scheduler.getJob(jobName).state == "ENABLED")

            clock.advance(.seconds(31))
            #expect(try await stack.run.getService(serviceName).name == serviceName)
            #expect(stack.transport.breakerState(.run) == .closed(failures: 0))
        }
    }

    @Test("A hanging server hits the request's deadline")
    func hangHitsDeadline() async throws {
        try await FakeStack.with { stack in
            _ = try await stack.tokens.token(scope: TokenProvider.cloudPlatformScope)
            stack.fake.inject(.hang(.seconds(10)), api: .run, times: 5)
            let started = ContinuousClock.now
            do {
                _ = try await stack.transport.send(.run, "GET", path: "v2/" + serviceName, operation: "run.services.get", timeout: .milliseconds(600))
                Issue.record("a hang answered")
            } catch let error as GCPError {
                #expect(error.code == .deadlineExceeded)
                #expect(error.transport?.code == .timeout)
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(500))
            #expect(elapsed < .seconds(5))
        }
    }

    @Test("A 401 refreshes the token once and repeats the call")
    func unauthorizedRefreshes() async throws {
        try await FakeStack.with { stack in
            _ = try await stack.scheduler.getJob(jobName)
            #expect(stack.fake.tokenRequestCount == 1)
            stack.fake.revokeAllTokens()
            #expect(try await stack.scheduler.getJob(jobName).state == "ENABLED")
            #expect(stack.fake.tokenRequestCount == 2)
            let statuses = stack.fake.requests.filter { $0.api == .scheduler }.map(\.status)
            #expect(statuses == [200, 401, 200])
        }
    }

    @Test("A 401 that persists after the refresh is terminal")
    func unauthorizedTwice() async throws {
        try await FakeStack.with { stack in
            _ = try await stack.tokens.token(scope: TokenProvider.cloudPlatformScope)
            stack.fake.inject(.status(401), api: .pubsub, times: 2)
            do {
                _ = try await stack.pubsub.getSubscription(subscriptionName)
                Issue.record("succeeded through 401s")
            } catch let error as GCPError {
                #expect(error.httpStatus == 401)
                #expect(error.message.contains("after refreshing"))
            }
            #expect(stack.fake.requests.filter { $0.api == .pubsub }.count == 2)
        }
    }
}
