import Foundation

/// What the fake serves, each under its own path prefix of the one port.
public enum GCPFakeAPI: String, Sendable, CaseIterable {
    /// Cloud Run Admin API v2, under `/run/`.
    case run
    /// Cloud Scheduler v1, under `/scheduler/`.
    case scheduler
    /// Pub/Sub v1, under `/pubsub/`.
    case pubsub
    /// Cloud Commerce Partner Procurement v1, under `/procurement/`.
    case procurement
    /// The OAuth2 token endpoint, `/token`.
    case token
    /// The metadata server, `/computeMetadata/v1/…`.
    case metadata
    /// The fake's own control, `/control/{name}`: no Google API. What Google changes by itself (a customer's plan
    /// change request, a suspension), set from another process: `GET` answers a stored resource, `PATCH` with a
    /// JSON object sets its members (null removes one) and answers the result. No token needed: loopback only.
    case control

    /// The discovery document judging this API's requests.
    var discoveryName: String? {
        switch self {
        case .run: "run.v2"
        case .scheduler: "cloudscheduler.v1"
        case .pubsub: "pubsub.v1"
        case .procurement: "cloudcommerceprocurement.v1"
        case .token, .metadata, .control: nil
        }
    }
}

/// A fault the fake answers with instead of the real response.
public struct GCPFakeFault: Sendable {
    enum Kind: Sendable {
        case status(Int, retryAfter: String?)
        case hang(Duration)
        case delay(Duration)
    }

    let kind: Kind

    /// Any status with Google's error envelope, and a `Retry-After` header when given.
    public static func status(_ code: Int, retryAfter: String? = nil) -> Self {
        Self(kind: .status(code, retryAfter: retryAfter))
    }

    /// 429 `RESOURCE_EXHAUSTED`, with `Retry-After` (seconds or an HTTP date) when given.
    public static func tooManyRequests(retryAfter: String? = nil) -> Self { .status(429, retryAfter: retryAfter) }
    /// 503 `UNAVAILABLE`.
    public static let unavailable = Self.status(503)
    /// 409 `ABORTED`, as for an etag conflict.
    public static let conflict = Self.status(409)
    /// No answer for `duration` (then a 504), to make a client's deadline pass.
    public static func hang(_ duration: Duration) -> Self { Self(kind: .hang(duration)) }
    /// The real answer, after `duration`: keeps requests in flight long enough to observe a client's concurrency.
    public static func delay(_ duration: Duration) -> Self { Self(kind: .delay(duration)) }
}

/// One request the fake received, as the tests see it.
public struct GCPFakeRequest: Sendable {
    public var api: GCPFakeAPI?
    public var method: String
    /// The path without the API prefix, e.g. `v2/projects/p/locations/l/services/s`.
    public var path: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The discovery method id it matched, e.g. `run.projects.locations.services.patch`.
    public var methodID: String?
    /// The status the fake answered.
    public var status: Int
    public var receivedAt: Date

    /// The body as JSON, if it is.
    public var json: FakeJSON? { FakeJSON(parsing: self.body) }
}
