/// A circuit breaker for one API, as a pure state machine over injected time.
///
/// Closed: calls pass; ``Configuration/failureThreshold`` consecutive failures open it. Open: calls are
/// refused until ``Configuration/openDuration`` has passed; then the next call is let through as the one
/// half-open probe (others are still refused). The probe's success closes the breaker, its failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        /// Consecutive failures that open the breaker (1…). Default: `5`.
        public var failureThreshold: Int = 5
        /// How long an open breaker refuses calls before it lets a probe through. Default: 30 s.
        public var openDuration: Duration = .seconds(30)

        public init() {}
    }

    public enum State: Sendable, Equatable {
        /// Calls pass; `failures` consecutive failures so far.
        case closed(failures: Int)
        /// Calls are refused until the monotonic time `until`.
        case open(until: Duration)
        /// One probe is in flight; other calls are refused.
        case halfOpen

        /// For the `gcp_circuit_breaker_state` gauge: 0 closed, 1 half-open, 2 open.
        public var gaugeValue: Int {
            switch self {
            case .closed: 0
            case .halfOpen: 1
            case .open: 2
            }
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Make the call.
        case allow
        /// Make the call as the half-open probe.
        case probe
        /// Do not make the call; the breaker may let one through after `retryIn`.
        case reject(retryIn: Duration)
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed(failures: 0)

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Asks to make a call at monotonic time `now`.
    public mutating func acquire(now: Duration) -> Decision {
        switch self.state {
        case .closed:
            return .allow
        case .open(let until) where now >= until:
            self.state = .halfOpen
            return .probe
        case .open(let until):
            return .reject(retryIn: until - now)
        case .halfOpen:
            return .reject(retryIn: .zero)
        }
    }

    /// The API answered (any status that is not a server-side failure).
    public mutating func recordSuccess() {
        self.state = .closed(failures: 0)
    }

    /// The API failed (a retriable status or no response) at monotonic time `now`.
    public mutating func recordFailure(now: Duration) {
        switch self.state {
        case .closed(let failures) where failures + 1 < self.configuration.failureThreshold:
            self.state = .closed(failures: failures + 1)
        case .closed, .halfOpen, .open:
            self.state = .open(until: now + self.configuration.openDuration)
        }
    }

    /// A permitted call ended without a verdict (cancelled): a half-open breaker lets the next caller probe.
    public mutating func recordAbandoned(now: Duration) {
        if case .halfOpen = self.state { self.state = .open(until: now) }
    }
}
