import Foundation
import Logging

/// Everything the worker process can be configured with.
///
/// Each property maps to a TOML key (`[section] snake_case_name`), an environment variable
/// (`AUTONOMICS_<SECTION>_<NAME>`) and a dotted flag key (`section.snake_case_name`);
/// ``ConfigurationLoader`` reads and validates them. `config/autonomics.toml` documents every key.
public struct WorkerConfiguration: Sendable, Equatable {
    /// How to reach the Kafka cluster.
    public struct Kafka: Sendable, Equatable {
        /// Bootstrap brokers as `HOST:PORT,…`, or `embedded` for librdkafka's in-process mock cluster.
        /// Default: `"embedded"`.
        public var brokers: String = "embedded"

        /// Consumer group shared by all worker processes. Default: `"autonomics"`.
        public var group: String = "autonomics"

        /// librdkafka properties passed through unchanged (TLS, SASL, tuning), e.g. `security.protocol`.
        /// Default: none.
        public var properties: [String: String] = [:]

        public init() {}
    }

    /// Topic names.
    public struct Topics: Sendable, Equatable {
        /// Raw input events, any key. Default: `"autonomics.events"`.
        public var events: String = "autonomics.events"

        /// Normalized events keyed by tenant. Default: `"autonomics.tenant-events"`.
        public var tenantEvents: String = "autonomics.tenant-events"

        /// Output ledger of receipts, keyed by tenant. Default: `"autonomics.receipts"`.
        public var receipts: String = "autonomics.receipts"

        /// Dead letters, with the original key. Default: `"autonomics.dlq"`.
        public var dlq: String = "autonomics.dlq"

        /// Operator commands, keyed by tenant; trusted because of the topic's ACLs. Needs as many partitions as
        /// the tenant-events topic. Default: `"autonomics.control"`.
        public var control: String = "autonomics.control"

        public init() {}
    }

    /// Decoding and validation of input events.
    public struct Intake: Sendable, Equatable {
        /// Cloud Monitoring incident label that names the tenant. Default: `"tenant_id"`.
        public var monitoringTenantLabel: String = "tenant_id"

        /// How far in the future a signal's timestamp may be, in seconds (0…86400). Default: `3600`.
        public var signalMaxFutureSeconds: Int64 = 3600

        /// Metric types a direct signal may carry.
        /// Default: `["cpu_utilization", "memory_utilization", "error_rate", "concurrency_utilization"]`.
        public var knownMetrics: [String] = [
            "cpu_utilization", "memory_utilization", "error_rate", "concurrency_utilization",
        ]

        /// Entitlements whose account the intake remembers (1…10000000), so that the deletion of one (which the
        /// Procurement API then no longer finds) still reaches its tenant. Default: `10000`.
        public var entitlementCacheSize: Int = 10_000

        /// The Procurement provider (`providers/{id}`) whose entitlements the intake reads; empty takes the
        /// `providerId` of each message, which some variants leave out. Default: `""`.
        public var procurementProviderID: String = ""

        public init() {}
    }

    /// The receipt stage.
    public struct Receipts: Sendable, Equatable {
        /// Recent event ids remembered per tenant to drop duplicates (1…4096). Default: `32`.
        public var dedupWindow: Int = 32

        /// PEM file of the PKCS#8 Ed25519 private key that signs every receipt (`openssl genpkey -algorithm ed25519`);
        /// empty signs none. Read at start-up (``signer()``). Default: `""`.
        public var signingKey: String = ""

        public init() {}
    }

    /// The in-process mock cluster used when ``Kafka/brokers`` is `embedded`.
    public struct Embedded: Sendable, Equatable {
        /// Number of mock brokers (1…9). Default: `3`.
        public var brokers: Int = 3

        /// Partitions of each topic (1…256). Default: `8`.
        public var partitions: Int = 8

        public init() {}
    }

    /// The operations HTTP server (`/health`, `/ready`, `/metrics`).
    public struct HTTP: Sendable, Equatable {
        /// Address to bind. Default: `"127.0.0.1"`.
        public var host: String = "127.0.0.1"

        /// Port to bind (0…65535); `0` picks any free port. Default: `8080`.
        public var port: Int = 8080

        public init() {}
    }

    /// This process.
    public struct Worker: Sendable, Equatable {
        /// Identifies this process in receipts and dead letters; empty means `<hostname>-<pid>`,
        /// resolved at start. Default: `""`.
        public var id: String = ""

        /// Seconds allowed to drain and commit after SIGTERM before exiting (1…600): one budget shared by every
        /// stage's drain, commit and close. Default: `15`.
        public var shutdownDeadlineSeconds: Int = 15

        /// Most records each stage (intake and governor) takes from one poll (1…100000). Default: `1000`.
        public var maxBatch: Int = 1000

        /// Serial shards per stage (0…256); `0` gives each of the two stages half the cores (at least one). With one
        /// shard a stage runs its handler on its polling thread; with more, each shard has a thread. Default: `0`.
        public var shards: Int = 0

        /// Records a shard may have unfinished (queued, waiting or in flight) before its stage pauses its
        /// partitions (100…1000000); it resumes them at half. Default: `10000`.
        public var shardCapacity: Int = 10_000

        /// Seconds the broker may be unreachable before `/ready` says so (1…3600). Default: `10`.
        public var brokerUnreachableSeconds: Int = 10

        /// ``shards``, with `0` resolved to half the cores: the intake and the governor run side by side, and a
        /// hand-over between threads costs more than it gains where a stage has no core of its own to spread over.
        public var resolvedShards: Int {
            shards > 0 ? shards : max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
        }

        public init() {}
    }

    /// Log output.
    public struct Log: Sendable, Equatable {
        /// How log lines are written.
        public enum Format: String, Sendable, CaseIterable {
            /// One JSON object per line.
            case json
            /// swift-log's human-readable text.
            case text
        }

        /// Lowest level written. Default: `.info`.
        public var level: Logger.Level = .info

        /// Line format. Default: `.json`.
        public var format: Format = .json

        public init() {}
    }

    /// Google Cloud: API endpoints, TLS roots and limits of the REST clients. Credentials come from the standard
    /// variables (`GOOGLE_APPLICATION_CREDENTIALS`, `GCE_METADATA_HOST`), never from here.
    public struct GCP: Sendable, Equatable {
        /// Cloud Run Admin API base URL; empty means `https://run.googleapis.com/`. Default: `""`.
        public var runEndpoint: String = ""
        /// Cloud Scheduler base URL; empty means `https://cloudscheduler.googleapis.com/`. Default: `""`.
        public var schedulerEndpoint: String = ""
        /// Pub/Sub base URL; empty means `https://pubsub.googleapis.com/`. Default: `""`.
        public var pubsubEndpoint: String = ""
        /// Partner Procurement base URL; empty means `https://cloudcommerceprocurement.googleapis.com/`. Default: `""`.
        public var procurementEndpoint: String = ""
        /// PEM file of extra trusted TLS roots; empty uses the system's. Default: `""`.
        public var caFile: String = ""
        /// Overall deadline of one call, retries included, in seconds (1…600). Default: `30`.
        public var requestTimeoutSeconds: Int = 30
        /// Connect timeout of one attempt, in seconds (1…120). Default: `10`.
        public var connectTimeoutSeconds: Int = 10
        /// Most connections to one host (1…100). Default: `8`.
        public var maxConnectionsPerHost: Int = 8
        /// Most attempts of one call, the first included (1…20). Default: `5`.
        public var maxAttempts: Int = 5
        /// Consecutive failures that open an API's circuit breaker (1…1000). Default: `5`.
        public var breakerFailureThreshold: Int = 5
        /// Seconds an open breaker refuses calls before a probe (1…3600). Default: `30`.
        public var breakerOpenSeconds: Int = 30

        public init() {}
    }

    /// The governors: the SKU spec they decide by, and how they act.
    public struct Governor: Sendable, Equatable {
        /// Whether actions reach Google Cloud.
        public enum Actions: String, Sendable, CaseIterable {
            /// Actions are performed.
            case live
            /// Actions are decided and receipted as if performed, and nothing is called.
            case dryRun = "dry-run"
        }

        /// The SKU spec file (TOML): tiers, plans, rules, actions, approval policy, metric vocabulary and tenant
        /// bindings. Default: `"config/sku.toml"`.
        public var spec: String = "config/sku.toml"

        /// Actions in flight at once, all tenants together (1…1000). Default: `10`.
        public var maxConcurrentActions: Int = 10

        /// Seconds one action may take, its retries and operation polling included (1…3600). Default: `60`.
        public var actionDeadlineSeconds: Int = 60

        /// Default: `.live`.
        public var actions: Actions = .live

        public init() {}
    }

    /// Default: `Kafka()`.
    public var kafka = Kafka()
    /// Default: `Topics()`.
    public var topics = Topics()
    /// Default: `Intake()`.
    public var intake = Intake()
    /// Default: `Receipts()`.
    public var receipts = Receipts()
    /// Default: `Embedded()`.
    public var embedded = Embedded()
    /// Default: `HTTP()`.
    public var http = HTTP()
    /// Default: `Worker()`.
    public var worker = Worker()
    /// Default: `Log()`.
    public var log = Log()
    /// Default: `GCP()`.
    public var gcp = GCP()
    /// Default: `Governor()`.
    public var governor = Governor()

    /// Creates the default configuration.
    public init() {}
}
