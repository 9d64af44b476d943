import ArgumentParser
import AutonomicsWorker
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker until SIGTERM or SIGINT.",
        discussion: """
            With no broker configured (or --brokers embedded) the worker starts librdkafka's mock cluster in process, \
            creates its topics and prints the cluster's address, so that other clients (kcat, autonomics produce) can connect. \
            With an embedded broker and no Google Cloud endpoint or credential configured, it also starts the in-process \
            Google Cloud fake seeded with the example spec's demo tenants; otherwise Google's endpoints are the defaults. \
            It says at start which it uses.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Consumer group prefix (key kafka.group).")
    var group: String?

    @Option(name: .customLong("http-port"), help: "Port of /health, /ready, /metrics and /tenants/{id}; 0 picks a free one (key http.port).")
    var httpPort: Int?

    @Option(name: .long, help: "The SKU spec file (key governor.spec). Default: config/sku.toml.")
    var spec: String?

    @Flag(name: .customLong("dry-run"), help: "Decide and receipt actions, call nothing (key governor.actions = dry-run).")
    var dryRun = false

    func run() async throws {
        var flags: [String: String] = [:]
        flags["kafka.group"] = group
        flags["http.port"] = httpPort.map(String.init)
        flags["governor.spec"] = spec
        if dryRun { flags["governor.actions"] = WorkerConfiguration.Governor.Actions.dryRun.rawValue }
        let configuration = try options.load(flags: flags)
        JSONLogHandler.bootstrap(level: configuration.log.level, format: configuration.log.format)
        let logger = Logger(label: "autonomics")

        // Building the worker talks to the broker (blocking librdkafka calls): on a thread of its own.
        let worker: Worker
        do {
            worker = try await ThreadService.runOnDedicatedThread(name: "startup") {
                try Worker(
                    configuration: configuration,
                    logger: logger,
                    onEmbeddedBroker: { announce("\(EmbeddedKafka.announcement)\($0)") },
                    onHTTPServerRunning: { announce("operations server: http://\(configuration.http.host):\($0)") }
                )
            }
        } catch let error as ConfigurationError {
            // A setting only usable once read, such as the signing key file: a bad configuration like any other.
            printError("autonomics: \(error)")
            throw ExitCode(2)
        }
        logger.info("worker starting", metadata: [
            "worker.id": "\(worker.workerID)", "kafka.brokers": "\(worker.bootstrapServers)",
        ])
        do {
            try await worker.run()
        } catch {
            // The stage has closed its clients within the shutdown deadline already; say why and exit non-zero.
            logger.critical("worker stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        logger.info("worker stopped")
    }
}
