import GCP

extension GCPConfiguration {
    /// The GCP layer's configuration from the worker's `[gcp]` settings; an empty endpoint is Google's.
    public init(_ settings: WorkerConfiguration.GCP) {
        self.init()
        self.endpoints = [
            .run: settings.runEndpoint, .scheduler: settings.schedulerEndpoint, .pubsub: settings.pubsubEndpoint,
            .procurement: settings.procurementEndpoint,
        ]
        self.caFile = settings.caFile.isEmpty ? nil : settings.caFile
        self.requestTimeout = .seconds(settings.requestTimeoutSeconds)
        self.connectTimeout = .seconds(settings.connectTimeoutSeconds)
        self.maxConnectionsPerHost = settings.maxConnectionsPerHost
        self.retry.maxAttempts = settings.maxAttempts
        self.breaker.failureThreshold = settings.breakerFailureThreshold
        self.breaker.openDuration = .seconds(settings.breakerOpenSeconds)
    }
}
