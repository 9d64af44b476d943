import Curl
import Logging

/// Everything a process needs to act on Google Cloud, built once and shared: one libcurl client (one multi
/// handle, so connections are reused), one token provider, one transport (retries, breakers, metrics), and the
/// four API clients on top of it.
public struct GCPClients: Sendable {
    public let http: CurlClient
    public let tokens: TokenProvider
    public let transport: GCPTransport
    public let run: CloudRunClient
    public let scheduler: CloudSchedulerClient
    public let pubsub: PubSubClient
    public let procurement: ProcurementClient

    /// - Parameters:
    ///   - credentials: Usually ``GCPCredentials/discover(environment:)``.
    ///   - metrics: Default: the global metrics system.
    public init(
        configuration: GCPConfiguration, credentials: GCPCredentials, clock: GCPClock = .system,
        metrics: GCPMetrics = GCPMetrics(), logger: Logger
    ) {
        var curl = CurlClient.Configuration()
        curl.caFile = configuration.caFile
        curl.maxConnectionsPerHost = configuration.maxConnectionsPerHost
        curl.connectTimeout = configuration.connectTimeout
        curl.maxResponseBytes = configuration.maxResponseBytes
        self.http = CurlClient(configuration: curl, name: "gcp-curl")
        self.tokens = TokenProvider(credentials: credentials, http: self.http, clock: clock, metrics: metrics, logger: logger)
        self.transport = GCPTransport(
            configuration: configuration, tokens: self.tokens, http: self.http, clock: clock, metrics: metrics, logger: logger)
        self.run = CloudRunClient(transport: self.transport, clock: clock)
        self.scheduler = CloudSchedulerClient(transport: self.transport)
        self.pubsub = PubSubClient(transport: self.transport)
        self.procurement = ProcurementClient(transport: self.transport)
    }

    /// Fails transfers in progress and ends the libcurl thread.
    public func shutdown() async {
        await self.http.shutdown()
    }
}
