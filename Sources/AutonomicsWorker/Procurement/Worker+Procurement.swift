import GCP
import Logging
import ServiceLifecycle

extension Worker {
    /// The intake's entitlement lookups and the GCP clients they run on, or nil when no Procurement API is
    /// configured: on the embedded broker with no `[gcp]` endpoint and no credential variable, a purely local run,
    /// whose Marketplace entitlement events are then dead-lettered as `entitlement_unresolvable`. Against a real
    /// broker Google's endpoints and Application Default Credentials are the defaults.
    /// - Throws: a ``GCPError`` when a credentials file named by the environment cannot be read.
    static func makeEntitlementResolver(
        _ configuration: WorkerConfiguration, isEmbedded: Bool, environment: [String: String], logger: Logger
    ) throws -> (resolver: EntitlementResolver, clients: GCPClients)? {
        let gcp = configuration.gcp
        let endpoints = [gcp.runEndpoint, gcp.schedulerEndpoint, gcp.pubsubEndpoint, gcp.procurementEndpoint]
        let credentialVariables = ["GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST"]
        let configured =
            !isEmbedded || endpoints.contains { !$0.isEmpty }
            || credentialVariables.contains { environment[$0].map { !$0.isEmpty } ?? false }
        guard configured else {
            logger.notice("no Procurement API configured: Marketplace entitlement events will be dead-lettered as entitlement_unresolvable")
            return nil
        }
        let credentials = try GCPCredentials.discover(environment: environment)
        let gcpConfiguration = GCPConfiguration(gcp)
        let clients = GCPClients(configuration: gcpConfiguration, credentials: credentials, logger: logger)
        logger.notice("entitlement events resolved through the Procurement API", metadata: [
            "gcp.endpoint": "\(gcpConfiguration.endpoint(.procurement))", "gcp.credentials": "\(credentials.sourceName)",
        ])
        let intake = configuration.intake
        let resolver = EntitlementResolver(
            procurement: clients.procurement,
            providerID: intake.procurementProviderID.isEmpty ? nil : intake.procurementProviderID,
            cacheSize: intake.entitlementCacheSize, logger: logger)
        return (resolver, clients)
    }
}

/// Shuts the GCP clients down (transfers still running fail, libcurl's thread ends) when the worker stops. First
/// among the worker's services, so that it stops last, after the intake whose lookups it serves has drained.
struct GCPClientsService: Service {
    let clients: GCPClients

    func run() async throws {
        // Cancellation ends the wait too; either way the clients go.
        try? await gracefulShutdown()
        await clients.shutdown()
    }
}
