import AutonomicsCore
import Foundation
import GCP
import GCPFake
import Logging
import ServiceLifecycle
import Synchronization

/// The Google Cloud the worker talks to: the real endpoints (or those of `[gcp]`) with Application Default
/// Credentials, or, for an embedded run with nothing configured, the in-process fake seeded with the example
/// spec's demo tenants, so that a newcomer sees the whole loop with nothing installed.
struct GoogleCloud {
    let clients: GCPClients
    /// Services to run with the worker, in start order: the fake (if any), then the clients' shutdown.
    let services: [any Service]

    /// - Throws: a ``GCPError`` when a credentials file named by the environment cannot be read, or an error when
    ///   the fake cannot start.
    static func connect(
        _ configuration: inout WorkerConfiguration, isEmbedded: Bool, environment: [String: String], spec: SKUSpec,
        logger: Logger
    ) throws -> GoogleCloud {
        let gcp = configuration.gcp
        let endpoints = [gcp.runEndpoint, gcp.schedulerEndpoint, gcp.pubsubEndpoint, gcp.procurementEndpoint]
        let credentialVariables = ["GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST"]
        let configured =
            !isEmbedded || endpoints.contains { !$0.isEmpty }
            || credentialVariables.contains { environment[$0].map { !$0.isEmpty } ?? false }
        var environment = environment
        var services: [any Service] = []
        if !configured {
            let fake = try startFake()
            DemoCloud.seed(fake, spec: spec)
            let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("autonomics-gcp-fake-\(fake.port).json")
            guard FileManager.default.createFile(
                atPath: keyFile.path, contents: Data(fake.serviceAccountKeyJSON), attributes: [.posixPermissions: 0o600])
            else { throw GoogleCloudError.keyNotWritten(keyFile.path) }
            configuration.gcp.runEndpoint = fake.endpoint(.run)
            configuration.gcp.schedulerEndpoint = fake.endpoint(.scheduler)
            configuration.gcp.pubsubEndpoint = fake.endpoint(.pubsub)
            configuration.gcp.procurementEndpoint = fake.endpoint(.procurement)
            environment["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile.path
            services.append(FakeService(fake: fake, keyFile: keyFile))
        }
        let credentials = try GCPCredentials.discover(environment: environment)
        let gcpConfiguration = GCPConfiguration(configuration.gcp)
        let clients = GCPClients(configuration: gcpConfiguration, credentials: credentials, logger: logger)
        logger.notice(
            configured ? "Google Cloud: the configured endpoints" : "Google Cloud: the in-process fake (embedded broker, nothing configured)",
            metadata: [
                "gcp.run": "\(gcpConfiguration.endpoint(.run))", "gcp.procurement": "\(gcpConfiguration.endpoint(.procurement))",
                "gcp.credentials": "\(credentials.sourceName)",
            ])
        if let fake = (services.first as? FakeService)?.fake {
            // What `autonomics produce --scenario` needs to change the fake's entitlements (GCP_FAKE_CONTROL_ENDPOINT).
            logger.notice("the fake's control endpoint", metadata: ["gcp_fake.control": "\(fake.endpoint(.control))"])
        }
        services.append(GCPClientsService(clients: clients))
        return GoogleCloud(clients: clients, services: services)
    }

    /// Starts the fake from the worker's start-up thread (never the cooperative pool, which it waits on).
    private static func startFake() throws -> GCPFake {
        let started = Mutex<Result<GCPFake, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result = await Result(catching: { try await GCPFake.start() })
            started.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = started.withLock({ $0 }) else { throw GoogleCloudError.fakeNotStarted }
        return try result.get()
    }
}

enum GoogleCloudError: Error, CustomStringConvertible {
    case fakeNotStarted
    case keyNotWritten(String)

    var description: String {
        switch self {
        case .fakeNotStarted: "the in-process Google Cloud fake did not start"
        case .keyNotWritten(let path): "cannot write the in-process fake's service-account key to \(path)"
        }
    }
}

/// Shuts the GCP clients down (transfers still running fail, libcurl's thread ends) when the worker stops. Early
/// among the worker's services, so that it stops late, after the stages and the actuator it serves.
struct GCPClientsService: Service {
    let clients: GCPClients

    func run() async throws {
        // Cancellation ends the wait too; either way the clients go.
        try? await gracefulShutdown()
        await clients.shutdown()
    }
}

/// The in-process fake of an embedded run, stopped last but for the broker; its key file goes with it.
private struct FakeService: Service {
    let fake: GCPFake
    let keyFile: URL

    func run() async throws {
        try? await gracefulShutdown()
        await fake.stop()
        try? FileManager.default.removeItem(at: keyFile)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
