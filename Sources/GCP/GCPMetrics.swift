import Metrics

/// The GCP layer's metrics, through swift-metrics (exported as Prometheus by the worker):
///
/// - `gcp_requests_total{api, method, status_class}`: attempts, by outcome (`2xx`, `4xx`, `5xx`, `transport`).
/// - `gcp_request_duration_seconds{api, method}`: latency of each attempt (a histogram in Prometheus).
/// - `gcp_retries_total{api}`: attempts repeated after a retriable failure.
/// - `gcp_token_refreshes_total{source, outcome}`: token requests, by credential source and `success`/`failure`.
/// - `gcp_circuit_breaker_state{api}`: 0 closed, 1 half-open, 2 open.
/// - `gcp_circuit_breaker_rejections_total{api}`: calls refused by an open breaker.
public struct GCPMetrics: Sendable {
    private let factory: any MetricsFactory

    /// - Parameter factory: Default: the global `MetricsSystem.factory`; tests pass their own.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory ?? MetricsSystem.factory
    }

    func request(api: String, method: String, statusClass: String, duration: Duration) {
        Counter(label: "gcp_requests_total",
                dimensions: [("api", api), ("method", method), ("status_class", statusClass)], factory: self.factory)
            .increment()
        let (seconds, attoseconds) = duration.components
        Timer(label: "gcp_request_duration_seconds", dimensions: [("api", api), ("method", method)], factory: self.factory)
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func retry(api: String) {
        Counter(label: "gcp_retries_total", dimensions: [("api", api)], factory: self.factory).increment()
    }

    func tokenRefresh(source: String, outcome: String) {
        Counter(label: "gcp_token_refreshes_total", dimensions: [("source", source), ("outcome", outcome)],
                factory: self.factory).increment()
    }

    func breaker(api: String, state: CircuitBreaker.State) {
        Gauge(label: "gcp_circuit_breaker_state", dimensions: [("api", api)], factory: self.factory)
            .record(state.gaugeValue)
    }

    func breakerRejection(api: String) {
        Counter(label: "gcp_circuit_breaker_rejections_total", dimensions: [("api", api)], factory: self.factory)
            .increment()
    }
}
