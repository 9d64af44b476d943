import GCP
import GCPFake
import MetricsTestKit
import Testing

@Suite("GCP metrics")
struct MetricsTests {
    @Test("Requests by API, method and status class; latency; retries; token refreshes; breaker state")
    func recorded() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        try await FakeStack.with(clock: clock.clock, metrics: GCPMetrics(factory: metrics)) { stack in
            stack.fake.inject(.unavailable, api: .scheduler, times: 1)
            _ = try await stack.scheduler.getJob(jobName)
            let scheduler = [("api", "scheduler"), ("method", "GET")]
            #expect(try metrics.expectCounter("gcp_requests_total", scheduler + [("status_class", "5xx")]).totalValue == 1)
            #expect(try metrics.expectCounter("gcp_requests_total", scheduler + [("status_class", "2xx")]).totalValue == 1)
            #expect(try metrics.expectTimer("gcp_request_duration_seconds", scheduler).values.count == 2)
            #expect(try metrics.expectCounter("gcp_retries_total", [("api", "scheduler")]).totalValue == 1)
            #expect(try metrics.expectCounter(
                "gcp_token_refreshes_total", [("source", "service account key"), ("outcome", "success")]).totalValue == 1)
            #expect(try metrics.expectGauge("gcp_circuit_breaker_state", [("api", "scheduler")]).lastValue == 0)
        }
    }

    @Test("An open breaker shows as 2 and counts its refusals")
    func breakerState() async throws {
        let metrics = TestMetrics()
        try await FakeStack.with(configure: { configuration in
            configuration.retry.maxAttempts = 1
            configuration.breaker.failureThreshold = 1
        }, metrics: GCPMetrics(factory: metrics)) { (stack: FakeStack) async throws in
            stack.fake.inject(.unavailable, api: .pubsub, times: 1)
            _ = try? await stack.pubsub.getSubscription(subscriptionName)
            _ = try? await stack.pubsub.getSubscription(subscriptionName)
            #expect(try metrics.expectGauge("gcp_circuit_breaker_state", [("api", "pubsub")]).lastValue == 2)
            #expect(try metrics.expectCounter("gcp_circuit_breaker_rejections_total", [("api", "pubsub")]).totalValue == 1)
        }
    }
}
