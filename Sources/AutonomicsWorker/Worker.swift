import AutonomicsCore
import Foundation
import GCP
import Kafka
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// The whole worker, assembled from a configuration: the embedded broker when asked for, the intake stage, the
/// receipt stage and the operations HTTP server, as one ServiceGroup.
///
/// Everything that can fail at start-up (an unreadable signing key, bad librdkafka properties, an unreachable broker,
/// receipts and tenant-events topics that are not co-partitioned) fails here, before any record is consumed.
public final class Worker: Sendable {
    /// The configuration in force, with `kafka.brokers` resolved to real bootstrap servers.
    public let configuration: WorkerConfiguration
    public let workerID: String
    public let readiness: WorkerReadiness
    public let registry: PrometheusCollectorRegistry
    private let services: [any Service]
    private let logger: Logger

    public var bootstrapServers: String { configuration.kafka.brokers }

    /// - Parameters:
    ///   - onEmbeddedBroker: called with the bootstrap servers once an embedded cluster is up.
    ///   - onHTTPServerRunning: called with the bound port once the operations server listens.
    ///   - now: the wall clock in milliseconds since the epoch (injected for tests).
    ///   - environment: where GCP credentials are discovered (`GOOGLE_APPLICATION_CREDENTIALS`, `GCE_METADATA_HOST`).
    public init(
        configuration: WorkerConfiguration,
        logger: Logger,
        onEmbeddedBroker: (String) -> Void = { _ in },
        onHTTPServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        now: @escaping @Sendable () -> Int64 = WallClock.milliseconds,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        var configuration = configuration
        // First: a bad spec or key file must not cost a broker start-up to find out.
        let spec: SKUSpec
        do {
            spec = try SKUSpecLoader.load(file: configuration.governor.spec)
        } catch {
            throw WorkerError.specNotLoaded(error)
        }
        let signer = try configuration.receipts.signer()
        var services: [any Service] = []
        let isEmbedded = configuration.kafka.brokers == WorkerConfiguration.Kafka.embedded
        if isEmbedded {
            let embedded = try EmbeddedKafka(
                brokers: configuration.embedded.brokers, partitions: configuration.embedded.partitions,
                topics: configuration.topics.all, logger: logger)
            configuration.kafka.brokers = embedded.bootstrapServers
            onEmbeddedBroker(embedded.bootstrapServers)
            services.append(embedded)
        }
        let workerID = configuration.worker.id.isEmpty ? WorkerConfiguration.defaultWorkerID() : configuration.worker.id
        let registry = PrometheusCollectorRegistry()
        let metrics = WorkerMetrics(registry: registry)
        let readiness = WorkerReadiness()

        let clients = { (stage: String) in
            KafkaClientProperties(
                bootstrapServers: configuration.kafka.brokers, passThrough: configuration.kafka.properties,
                clientID: "\(workerID)-\(stage)",
                // A rejoin on the mock cluster waits for the session timeout: keep it short on one machine.
                groupDefaults: isEmbedded ? EmbeddedKafka.consumerDefaults : [:])
        }
        let reader = TopicReader(properties: clients("reader").reader(), logger: logger)
        try Self.checkCoPartitioned(configuration.topics, reader: reader)
        logger.info("SKU spec loaded", metadata: [
            "spec.file": "\(configuration.governor.spec)", "spec.hash": "\(spec.specHash)",
            "governor.actions": "\(configuration.governor.actions.rawValue)",
        ])

        let topics = configuration.topics
        let budget = ShutdownBudget(total: .seconds(configuration.worker.shutdownDeadlineSeconds))
        let shards = configuration.worker.resolvedShards
        var settings = StageSettings(
            stage: .intake, inputTopics: [topics.events], outputTopics: [topics.tenantEvents, topics.dlq],
            deadLetterTopic: topics.dlq, workerID: workerID, maxBatch: configuration.worker.maxBatch, shards: shards,
            shardCapacity: configuration.worker.shardCapacity,
            drainTimeout: .seconds(configuration.worker.shutdownDeadlineSeconds))
        var intakeSettings = configuration.intake.settings
        // The spec owns the signal vocabulary: its metrics and their aliases are known besides the configured ones.
        intakeSettings.knownMetrics.formUnion(spec.metrics.acceptedNames)
        let cloud = try GoogleCloud.connect(
            &configuration, isEmbedded: isEmbedded, environment: environment, spec: spec, logger: logger)
        services += cloud.services
        let resolver = EntitlementResolver(
            procurement: cloud.clients.procurement,
            providerID: configuration.intake.procurementProviderID.isEmpty ? nil : configuration.intake.procurementProviderID,
            cacheSize: configuration.intake.entitlementCacheSize, logger: logger)
        let intake = try StageRuntime<IntakeHandler>(
            settings: settings,
            consumerProperties: clients("intake").groupConsumer(group: "\(configuration.kafka.group).intake"),
            producerProperties: clients("intake").producer(),
            makeHandler: { _ in
                IntakeHandler(
                    normalizer: Normalizer(settings: intakeSettings), tenantEventsTopic: topics.tenantEvents,
                    resolver: resolver, metrics: metrics)
            },
            // Stateless: spread by partition, which keeps each partition's order.
            route: { Int($0.partition) % shards },
            metrics: metrics, readiness: readiness, budget: budget, logger: logger, now: now)

        settings.stage = .governor
        settings.inputTopics = [topics.tenantEvents, topics.control]
        settings.outputTopics = [topics.receipts, topics.dlq]
        let dedupWindow = configuration.receipts.dedupWindow
        let makeLedger: @Sendable () -> ReceiptLedger = {
            ReceiptLedger(specHash: spec.specHash, dedupWindow: dedupWindow, signer: signer)
        }
        let restore = ReceiptRestore(
            tenantEventsTopic: topics.tenantEvents, receiptsTopic: topics.receipts, makeLedger: makeLedger, reader: reader, logger: logger)
        let governorSettings = GovernorHandler.Settings(
            tenantEventsTopic: topics.tenantEvents, receiptsTopic: topics.receipts, controlTopic: topics.control, spec: spec)
        let effects: any GovernorEffects
        switch configuration.governor.actions {
        case .dryRun:
            effects = DryRunEffects(logger: logger, now: now)
        case .live:
            var actuatorConfiguration = Actuator.Configuration()
            actuatorConfiguration.maxConcurrent = configuration.governor.maxConcurrentActions
            actuatorConfiguration.actionDeadline = .seconds(configuration.governor.actionDeadlineSeconds)
            let cloudEffects = CloudEffects(procurement: cloud.clients.procurement, logger: logger, now: now) { completion in
                Actuator(
                    run: cloud.clients.run, scheduler: cloud.clients.scheduler, pubsub: cloud.clients.pubsub,
                    configuration: actuatorConfiguration, now: now, metrics: ActuatorMetrics(factory: metrics.factory),
                    logger: logger, completion: completion)
            }
            services.append(cloudEffects.service)
            effects = cloudEffects
        }
        let router = ShardRouter(shardCount: shards)
        let governor = try StageRuntime<GovernorHandler>(
            settings: settings,
            consumerProperties: clients("governor").groupConsumer(group: "\(configuration.kafka.group).governor"),
            producerProperties: clients("governor").producer(),
            makeHandler: { _ in
                GovernorHandler(
                    settings: governorSettings, makeLedger: makeLedger, effects: effects, metrics: metrics, logger: logger, now: now)
            },
            route: { router.shard(forKey: $0.key) },
            prepare: { partitions, shards in try restore.restore(partitions, into: shards, router: router) },
            metrics: metrics, readiness: readiness, budget: budget, logger: logger, now: now)

        let watchClient = try KafkaProducer(properties: clients("watch").producer(), logger: logger, deliveryReport: { _ in })
        let brokerWatch = BrokerWatch(
            unreachableAfter: .seconds(configuration.worker.brokerUnreachableSeconds), readiness: readiness, logger: logger
        ) {
            _ = try watchClient.partitionCount(topic: topics.tenantEvents, timeout: .seconds(1))
        }

        let operations = OperationsServer.makeApplication(
            configuration: configuration.http, readiness: readiness, registry: registry, logger: logger,
            tenants: { [governor] id in await governor.ask(shard: router.shard(forTenant: id)) { $0.view(of: id) } },
            onServerRunning: onHTTPServerRunning)

        // Shutdown runs in reverse order: intake stops first, the governor drains, the GCP clients and the broker go
        // last.
        services += [
            operations, ThreadService(name: "broker-watch", body: brokerWatch.run), ThreadService(name: "governor", body: governor.run),
            ThreadService(name: "intake", body: intake.run),
        ]
        self.configuration = configuration
        self.workerID = workerID
        self.readiness = readiness
        self.registry = registry
        self.services = services
        self.logger = logger
    }

    /// Runs until SIGTERM or SIGINT, then drains within `worker.shutdown_deadline_seconds`.
    public func run() async throws {
        try await makeServiceGroup(gracefulShutdownSignals: [.sigterm, .sigint]).run()
    }

    /// The worker's services as a group; tests trigger its graceful shutdown themselves.
    public func makeServiceGroup(gracefulShutdownSignals: [UnixSignal] = []) -> ServiceGroup {
        var group = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: gracefulShutdownSignals,
            logger: logger)
        // The stages keep within the shutdown budget themselves; this only backs them up.
        group.maximumGracefulShutdownDuration = .seconds(configuration.worker.shutdownDeadlineSeconds + 2)
        group.maximumCancellationDuration = .seconds(2)
        return ServiceGroup(configuration: group)
    }

    /// Receipts of tenant-events partition p go to receipts partition p; that only keeps tenants together if both
    /// topics have the same number of partitions.
    private static func checkCoPartitioned(_ topics: WorkerConfiguration.Topics, reader: TopicReader) throws {
        let consumer = try KafkaConsumer(properties: reader.properties, logger: reader.logger)
        defer { consumer.close() }
        let tenantEvents = try consumer.partitionCount(topic: topics.tenantEvents, timeout: .seconds(15))
        for topic in [topics.receipts, topics.control] {
            let partitions = try consumer.partitionCount(topic: topic, timeout: .seconds(15))
            guard partitions == tenantEvents else {
                throw WorkerError.notCoPartitioned(tenantEvents: topics.tenantEvents, tenantEventsPartitions: tenantEvents,
                                                   other: topic, otherPartitions: partitions)
            }
        }
    }
}

public enum WorkerError: Error, CustomStringConvertible {
    case notCoPartitioned(tenantEvents: String, tenantEventsPartitions: Int, other: String, otherPartitions: Int)
    case specNotLoaded(SpecError)

    public var description: String {
        switch self {
        case .specNotLoaded(let error):
            "the SKU spec (key governor.spec, --spec, AUTONOMICS_GOVERNOR_SPEC; relative paths start at the working "
                + "directory): \(error)"
        case .notCoPartitioned(let tenantEvents, let tenantEventsPartitions, let other, let otherPartitions):
            "topics \(tenantEvents) (\(tenantEventsPartitions) partitions) and \(other) (\(otherPartitions) partitions) "
                + "must have the same number of partitions: a tenant's receipts and commands share the partition of its events"
        }
    }
}

/// Wall-clock time as the pure core wants it.
public enum WallClock {
    @Sendable public static func milliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

extension WorkerConfiguration.Kafka {
    /// The `brokers` value that starts librdkafka's mock cluster in process.
    public static let embedded = "embedded"
}

extension WorkerConfiguration.Topics {
    /// Every topic the worker uses.
    public var all: [String] { [events, tenantEvents, receipts, dlq, control] }
}

extension WorkerConfiguration.Intake {
    var settings: IntakeSettings {
        var settings = IntakeSettings()
        settings.monitoringTenantLabel = monitoringTenantLabel
        settings.signalMaxFutureSkewSeconds = signalMaxFutureSeconds
        settings.knownMetrics = Set(knownMetrics)
        return settings
    }
}

extension WorkerConfiguration {
    /// "<hostname>-<pid>": unique per process, stable in logs and dead-letter headers.
    static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
