/// One Google API the worker calls.
public struct GCPAPI: Sendable, Hashable, CustomStringConvertible {
    /// Short name used in metrics and logs: `run`, `scheduler`, `pubsub`, `procurement`.
    public let name: String
    /// Google's endpoint, e.g. `https://run.googleapis.com/`.
    public let defaultEndpoint: String
    /// The version path segment of its REST calls, e.g. `v2`.
    public let version: String

    public var description: String { self.name }

    /// Cloud Run Admin API v2.
    public static let run = GCPAPI(name: "run", defaultEndpoint: "https://run.googleapis.com/", version: "v2")
    /// Cloud Scheduler v1.
    public static let scheduler = GCPAPI(
        name: "scheduler", defaultEndpoint: "https://cloudscheduler.googleapis.com/", version: "v1")
    /// Pub/Sub v1.
    public static let pubsub = GCPAPI(name: "pubsub", defaultEndpoint: "https://pubsub.googleapis.com/", version: "v1")
    /// Cloud Commerce Partner Procurement v1.
    public static let procurement = GCPAPI(
        name: "procurement", defaultEndpoint: "https://cloudcommerceprocurement.googleapis.com/", version: "v1")

    public static let all: [GCPAPI] = [.run, .scheduler, .pubsub, .procurement]
}

/// How the GCP layer reaches Google.
public struct GCPConfiguration: Sendable {
    /// Base URL per API; a missing or empty one is Google's. Default: all Google's.
    public var endpoints: [GCPAPI: String] = [:]
    /// PEM bundle of extra trusted roots for TLS; `nil` uses the system's. Default: `nil`.
    public var caFile: String?
    /// Overall deadline of one call, retries included. Default: 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// Connect timeout of one attempt. Default: 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// Most connections open to one host. Default: `8`.
    public var maxConnectionsPerHost: Int = 8
    /// Largest response accepted. Default: 16 MiB.
    public var maxResponseBytes: Int = 16 << 20
    /// OAuth scope of the tokens. Default: `cloud-platform`.
    public var scope: String = TokenProvider.cloudPlatformScope
    /// Default: ``RetryPolicy/init()``.
    public var retry = RetryPolicy()
    /// Default: ``CircuitBreaker/Configuration/init()``.
    public var breaker = CircuitBreaker.Configuration()

    public init() {}

    /// The base URL of `api`, always ending in `/`.
    public func endpoint(_ api: GCPAPI) -> String {
        let configured = self.endpoints[api].flatMap { $0.isEmpty ? nil : $0 } ?? api.defaultEndpoint
        return configured.hasSuffix("/") ? configured : configured + "/"
    }
}
