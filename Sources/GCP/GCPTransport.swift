import Curl
import Foundation
import Logging
import Synchronization

/// The one way the REST clients reach Google: base URL per API, bearer token, retries with backoff and
/// jitter within the call's overall deadline, a circuit breaker per API, and metrics.
///
/// Per attempt: the breaker is asked first (an open one refuses with ``GCPError/Code/circuitOpen``); a 2xx
/// answer is returned; a 401 invalidates the token and repeats the call once with a fresh one; 408, 429, 500,
/// 502, 503, 504 and retriable transport failures are repeated after ``RetryPolicy/delay(afterAttempt:retryAfter:random:)``
/// (never less than `Retry-After`) while attempts and the deadline last; any other status is returned as a
/// ``GCPError`` at once. A 409 is not repeated here: the caller must re-read (see ``CloudRunClient/updateService(_:updateMask:maxConflictRetries:change:)``).
public final class GCPTransport: Sendable {
    public let configuration: GCPConfiguration
    public let tokens: (any AccessTokenSource)?
    public let http: CurlClient
    private let clock: GCPClock
    private let metrics: GCPMetrics
    private let logger: Logger
    private let breakers: Mutex<[GCPAPI: CircuitBreaker]> = Mutex([:])

    /// - Parameters:
    ///   - tokens: Where bearer tokens come from; `nil` sends none.
    ///   - http: The libcurl client; share one per process to reuse connections.
    public init(
        configuration: GCPConfiguration, tokens: (any AccessTokenSource)?, http: CurlClient,
        clock: GCPClock = .system, metrics: GCPMetrics = GCPMetrics(), logger: Logger
    ) {
        self.configuration = configuration
        self.tokens = tokens
        self.http = http
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    /// The current state of `api`'s circuit breaker.
    public func breakerState(_ api: GCPAPI) -> CircuitBreaker.State {
        self.breakers.withLock { $0[api]?.state ?? .closed(failures: 0) }
    }

    /// Sends one call and returns its 2xx response.
    ///
    /// - Parameters:
    ///   - path: Relative to the API's base URL, already encoded, e.g. `v2/projects/p/locations/l/services/s`.
    ///   - query: Parameters, encoded here.
    ///   - operation: Names the call in errors and logs, e.g. `run.services.get`.
    ///   - timeout: Overall deadline, retries included. Default: ``GCPConfiguration/requestTimeout``.
    public func send(
        _ api: GCPAPI, _ method: String, path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        operation: String, timeout: Duration? = nil
    ) async throws(GCPError) -> CurlResponse {
        let deadline = self.clock.now() + (timeout ?? self.configuration.requestTimeout)
        let url = self.configuration.endpoint(api) + path + (query.isEmpty ? "" : "?" + FormEncoding.encode(query))
        let policy = self.configuration.retry
        var attempt = 0
        var refreshedToken = false
        var logger = self.logger
        logger[metadataKey: "gcp.api"] = "\(api.name)"
        logger[metadataKey: "gcp.operation"] = "\(operation)"

        while true {
            attempt += 1
            try self.acquireBreaker(api, operation: operation)
            var headers: [(name: String, value: String)] = [("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            var token: AccessToken?
            if let tokens = self.tokens {
                do {
                    token = try await tokens.token(scope: self.configuration.scope)
                } catch {
                    self.releaseBreaker(api)
                    throw error
                }
                headers.append(("Authorization", "Bearer \(token!.value)"))
            }

            // Measured after the token, which may have taken a request of its own.
            let remaining = deadline - self.clock.now()
            guard remaining > .zero else {
                self.releaseBreaker(api)
                throw GCPError(code: .deadlineExceeded, operation: operation, message: "the deadline passed before the call")
            }
            let started = self.clock.now()
            let outcome: Result<CurlResponse, CurlError>
            do {
                outcome = .success(try await self.http.send(
                    CurlRequest(method: method, url: url, headers: headers, body: body, timeout: remaining)))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = self.clock.now() - started

            let failure: GCPError
            var retryAfter: Duration?
            switch outcome {
            case .success(let response):
                self.metrics.request(api: api.name, method: method, statusClass: "\(response.status / 100)xx", duration: elapsed)
                if (200..<300).contains(response.status) {
                    self.recordBreaker(api, failed: false)
                    return response
                }
                var error = GCPError(operation: operation, httpStatus: response.status, body: response.body)
                if response.status == 401, let token, let tokens = self.tokens, !refreshedToken {
                    // Once: a token revoked or expired early. The API answered, so the breaker counts a success.
                    self.recordBreaker(api, failed: false)
                    refreshedToken = true
                    attempt -= 1
                    logger.debug("Access token refused; refreshing it once")
                    await tokens.invalidate(scope: self.configuration.scope, token: token)
                    continue
                }
                guard policy.retryableStatuses.contains(response.status) else {
                    self.recordBreaker(api, failed: false)
                    if response.status == 401 { error.message += " (after refreshing the token)" }
                    throw error
                }
                self.recordBreaker(api, failed: true)
                retryAfter = response.header("retry-after").flatMap { RetryAfter.parse($0, now: self.clock.wallClock()) }
                failure = error
            case .failure(let curlError):
                if curlError.code == .cancelled || curlError.code == .shutdown {
                    self.releaseBreaker(api)
                    throw GCPError(code: .cancelled, operation: operation, message: curlError.message, transport: curlError)
                }
                self.metrics.request(api: api.name, method: method, statusClass: "transport", duration: elapsed)
                self.recordBreaker(api, failed: true)
                let outOfTime = curlError.code == .timeout && self.clock.now() >= deadline
                let error = GCPError(
                    code: outOfTime ? .deadlineExceeded : .transport, operation: operation,
                    message: "\(curlError.code): \(curlError.message)", transport: curlError)
                guard curlError.isRetriable, !outOfTime else { throw error }
                failure = error
            }

            guard attempt < policy.maxAttempts else { throw failure }
            let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, random: self.clock.random())
            guard self.clock.now() + delay < deadline else {
                logger.debug("No time left for a retry within the deadline", metadata: ["gcp.retry.delay": "\(delay)"])
                throw failure
            }
            self.metrics.retry(api: api.name)
            logger.debug("Retrying", metadata: [
                "gcp.retry.attempt": "\(attempt)", "gcp.retry.delay": "\(delay)", "http.response.status_code": "\(failure.httpStatus.map(String.init) ?? "none")",
            ])
            do {
                try await self.clock.sleep(delay)
            } catch {
                throw GCPError(code: .cancelled, operation: operation, message: "cancelled while waiting to retry")
            }
        }
    }

    /// ``send(_:_:path:query:body:operation:timeout:)`` with a JSON body and a decoded JSON answer.
    public func call<Response: Decodable>(
        _ api: GCPAPI, _ method: String, path: String, query: [(String, String)] = [], body: (some Encodable)?,
        operation: String, timeout: Duration? = nil, as type: Response.Type = Response.self
    ) async throws(GCPError) -> Response {
        var bytes: [UInt8]?
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            do {
                bytes = Array(try encoder.encode(body))
            } catch {
                throw GCPError(code: .decoding, operation: operation, message: "cannot encode the request body: \(error)")
            }
        }
        let response = try await self.send(api, method, path: path, query: query, body: bytes, operation: operation, timeout: timeout)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
        } catch {
            throw GCPError(
                code: .decoding, operation: operation, httpStatus: response.status,
                message: "the response is not a \(Response.self): \(error)")
        }
    }

    /// A GET with a decoded JSON answer.
    public func get<Response: Decodable>(
        _ api: GCPAPI, path: String, query: [(String, String)] = [], operation: String, timeout: Duration? = nil,
        as type: Response.Type = Response.self
    ) async throws(GCPError) -> Response {
        try await self.call(api, "GET", path: path, query: query, body: GCPEmpty?.none, operation: operation, timeout: timeout)
    }

    /// GETs the resource `name` of `api` (`{version}/{+name}{suffix}`), decoded.
    public func get<Response: Decodable>(
        _ api: GCPAPI, name: String, suffix: String = "", query: [(String, String)] = [], operation: String,
        as type: Response.Type = Response.self
    ) async throws(GCPError) -> Response {
        let path = "\(api.version)/" + (try GCPResourceName.path(name, operation: operation)) + suffix
        return try await self.get(api, path: path, query: query, operation: operation)
    }

    /// POSTs `body` to the custom verb `{version}/{+name}:{verb}`, decoded.
    public func post<Response: Decodable>(
        _ api: GCPAPI, name: String, verb: String, body: some Encodable, operation: String,
        as type: Response.Type = Response.self
    ) async throws(GCPError) -> Response {
        let path = "\(api.version)/" + (try GCPResourceName.path(name, operation: operation)) + ":\(verb)"
        return try await self.call(api, "POST", path: path, body: body, operation: operation)
    }

    // MARK: Breakers

    private func acquireBreaker(_ api: GCPAPI, operation: String) throws(GCPError) {
        let now = self.clock.now()
        let (decision, state) = self.breakers.withLock { breakers in
            var breaker = breakers[api] ?? CircuitBreaker(configuration: self.configuration.breaker)
            let decision = breaker.acquire(now: now)
            breakers[api] = breaker
            return (decision, breaker.state)
        }
        self.metrics.breaker(api: api.name, state: state)
        if case .reject(let retryIn) = decision {
            self.metrics.breakerRejection(api: api.name)
            throw GCPError(
                code: .circuitOpen, operation: operation,
                message: "the circuit breaker of \(api.name) is open after consecutive failures; next probe in \(retryIn)")
        }
    }

    private func recordBreaker(_ api: GCPAPI, failed: Bool) {
        let now = self.clock.now()
        let state = self.breakers.withLock { breakers in
            var breaker = breakers[api] ?? CircuitBreaker(configuration: self.configuration.breaker)
            if failed { breaker.recordFailure(now: now) } else { breaker.recordSuccess() }
            breakers[api] = breaker
            return breaker.state
        }
        self.metrics.breaker(api: api.name, state: state)
    }

    private func releaseBreaker(_ api: GCPAPI) {
        let now = self.clock.now()
        self.breakers.withLock { breakers in breakers[api]?.recordAbandoned(now: now) }
    }
}

/// `{}`: Google's `Empty`, and the body of calls that take no fields.
public struct GCPEmpty: Codable, Sendable, Equatable {
    public init() {}
}

/// Resource names in URL paths. Names are reserved expansions (`{+name}`): slashes stay, each segment is
/// percent-encoded.
public enum GCPResourceName {
    /// `name` as a path, checked to be `segment/segment/…` with no empty or dot segments.
    public static func path(_ name: String, operation: String) throws(GCPError) -> String {
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw GCPError(code: .invalidName, operation: operation, message: "\"\(name)\" is not a resource name")
        }
        return segments.map { FormEncoding.percentEncode(String($0)) }.joined(separator: "/")
    }
}
