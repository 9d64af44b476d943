import Foundation
import Logging
import AutonomicsCore
import AutonomicsTestSupport
import Testing

@testable import AutonomicsWorker

@Suite struct ConfigurationTests {
    @Test func defaultsApplyWhenNothingIsGiven() throws {
        let configuration = try ConfigurationLoader.load(file: nil, environment: [:], flags: [:])

        #expect(configuration == WorkerConfiguration())
        #expect(configuration.kafka.brokers == "embedded")
        #expect(configuration.topics.tenantEvents == "autonomics.tenant-events")
        #expect(configuration.intake.knownMetrics.count == 4)
        #expect(configuration.http.port == 8080)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .json)
    }

    @Test func flagsOverrideEnvironmentWhichOverridesTheFile() throws {
        let file = """
            [kafka]
            brokers = "file:9092"
            group = "from-file"
            [http]
            port = 1000
            host = "0.0.0.0"
            """
        let environment = [
            "AUTONOMICS_HTTP_PORT": "2000",
            "AUTONOMICS_KAFKA_GROUP": "from-env",
            "AUTONOMICS_INTAKE_KNOWN_METRICS": "cpu_utilization, error_rate",
            "PATH": "/usr/bin",  // not ours: ignored
        ]
        let configuration = try withTemporaryFile(file) { path in
            try ConfigurationLoader.load(
                file: path,
                environment: environment,
                flags: ["http.port": "3000", "log.level": "debug"]
            )
        }

        #expect(configuration.kafka.brokers == "file:9092")
        #expect(configuration.http.host == "0.0.0.0")
        #expect(configuration.kafka.group == "from-env")
        #expect(configuration.intake.knownMetrics == ["cpu_utilization", "error_rate"])
        #expect(configuration.http.port == 3000)
        #expect(configuration.log.level == .debug)
    }

    @Test func fileNamedByTheEnvironmentIsReadUnlessOneIsGiven() throws {
        try withTemporaryFile("[http]\nport = 1111\n") { named in
            try withTemporaryFile("[http]\nport = 2222\n") { given in
                let environment = ["AUTONOMICS_CONFIG": named]
                let fromEnvironment = try ConfigurationLoader.load(file: nil, environment: environment, flags: [:])
                let fromArgument = try ConfigurationLoader.load(file: given, environment: environment, flags: [:])
                #expect(fromEnvironment.http.port == 1111)
                #expect(fromArgument.http.port == 2222)
            }
        }
    }

    @Test func librdkafkaPropertiesMergeFromEverySource() throws {
        let file = """
            [kafka.properties]
            "security.protocol" = "SASL_SSL"
            "sasl.mechanism" = "PLAIN"
            """
        let configuration = try withTemporaryFile(file) { path in
            try ConfigurationLoader.load(
                file: path,
                environment: [
                    "AUTONOMICS_RDKAFKA_SASL_PASSWORD": "hunter2", "AUTONOMICS_RDKAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                ],
                flags: ["kafka.properties.client.id": "worker-7"]
            )
        }

        #expect(
            configuration.kafka.properties == [
                "security.protocol": "SASL_SSL",
                "sasl.mechanism": "SCRAM-SHA-512",
                "sasl.password": "hunter2",
                "client.id": "worker-7",
            ]
        )
    }

    @Test func describeRedactsSecretsAndOtherwiseRoundTrips() throws {
        var configuration = WorkerConfiguration()
        configuration.kafka.properties = [
            "security.protocol": "SASL_SSL",
            "sasl.password": "hunter2",
            "sasl.oauthbearer.client.secret": "s3cret",
            "sasl.jaas.config": "jaas-text",
            "ssl.key.pem": "-----BEGIN",
        ]
        configuration.http.port = 0
        configuration.intake.knownMetrics = ["cpu_utilization", "a \"quoted\" metric"]
        configuration.log.level = .trace

        let text = ConfigurationLoader.describe(configuration)

        for secret in ["hunter2", "s3cret", "jaas-text", "-----BEGIN"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("SASL_SSL"))
        let reloaded = try withTemporaryFile(text) { path in
            try ConfigurationLoader.load(file: path, environment: [:], flags: [:])
        }
        var expected = configuration
        for name in ["sasl.password", "sasl.oauthbearer.client.secret", "sasl.jaas.config", "ssl.key.pem"] {
            expected.kafka.properties[name] = "<redacted>"
        }
        #expect(reloaded == expected)
    }

    @Test func exampleFileLoadsToTheDefaultsAndDocumentsEveryKey() throws {
        // Resolve symlinks so that the path is right in a package that links this file in.
        let repository = URL(filePath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = repository.appending(path: "config/autonomics.toml").path

        #expect(try ConfigurationLoader.load(file: example, environment: [:], flags: [:]) == WorkerConfiguration())

        let text = try String(contentsOfFile: example, encoding: .utf8)
        #expect(text.contains("[kafka.properties]"))
        #expect(text.contains(ConfigurationLoader.propertyVariablePrefix))
        for setting in ConfigurationSetting.all {
            #expect(text.contains("[\(setting.section)]"), "\(setting.key)")
            #expect(text.contains("\n\(setting.name) = "), "\(setting.key)")
            #expect(text.contains("Env: \(setting.environmentName)"), "\(setting.key)")
        }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var file: String? = nil
        var environment: [String: String] = [:]
        var flags: [String: String] = [:]
        /// `FILE` stands for the temporary file's path.
        var source: String
        var key: String?
        var expected: String
        var found: String

        var testDescription: String { self.name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "file: wrong type",
            file: "[http]\nport = \"abc\"\n",
            source: "FILE",
            key: "http.port",
            expected: "an integer 0…65535",
            found: "\"abc\""
        ),
        ErrorCase(
            name: "file: out of range",
            file: "[receipts]\ndedup_window = 5000\n",
            source: "FILE",
            key: "receipts.dedup_window",
            expected: "an integer 1…4096",
            found: "5000"
        ),
        ErrorCase(
            name: "file: list of the wrong type",
            file: "[intake]\nknown_metrics = [\"cpu_utilization\", 3]\n",
            source: "FILE",
            key: "intake.known_metrics",
            expected: "a non-empty list of non-empty strings",
            found: "[ 'cpu_utilization', 3 ]"
        ),
        ErrorCase(
            name: "file: unknown section",
            file: "[htp]\nport = 1\n",
            source: "FILE",
            key: "htp",
            expected: "a section: kafka, topics, intake, receipts, embedded, http, worker, log, gcp, governor",
            found: "\"htp\""
        ),
        ErrorCase(
            name: "file: unknown key",
            file: "[http]\nprot = 1\n",
            source: "FILE",
            key: "http.prot",
            expected: "a known setting: host, port",
            found: "\"prot\""
        ),
        ErrorCase(
            name: "file: a renamed key names its new name",
            file: "[receipts]\nmax_batch = 50\n",
            source: "FILE",
            key: "receipts.max_batch",
            expected: "its new name, worker.max_batch (environment: AUTONOMICS_WORKER_MAX_BATCH)",
            found: "\"max_batch\""
        ),
        ErrorCase(
            name: "environment: a renamed setting names its new variable",
            environment: ["AUTONOMICS_RECEIPTS_MAX_BATCH": "50"],
            source: "environment variable AUTONOMICS_RECEIPTS_MAX_BATCH",
            key: "receipts.max_batch",
            expected: "its new name, worker.max_batch (environment: AUTONOMICS_WORKER_MAX_BATCH)",
            found: "\"AUTONOMICS_RECEIPTS_MAX_BATCH\""
        ),
        ErrorCase(
            name: "file: section that is not a table",
            file: "http = 8080\n",
            source: "FILE",
            key: "http",
            expected: "a table [http]",
            found: "8080"
        ),
        ErrorCase(
            name: "file: property that is not a string",
            file: "[kafka.properties]\n\"linger.ms\" = 5\n",
            source: "FILE",
            key: "kafka.properties.linger.ms",
            expected: "a string",
            found: "5"
        ),
        ErrorCase(
            name: "file: invalid TOML",
            file: "[http]\nport = \n",
            source: "FILE, line 2, column 8",
            key: nil,
            expected: "valid TOML",
            found: #"Error while parsing key-value pair: expected value, saw '\n'"#
        ),
        ErrorCase(
            name: "environment: not an integer",
            environment: ["AUTONOMICS_HTTP_PORT": "abc"],
            source: "environment variable AUTONOMICS_HTTP_PORT",
            key: "http.port",
            expected: "an integer 0…65535",
            found: "\"abc\""
        ),
        ErrorCase(
            name: "environment: unknown setting",
            environment: ["AUTONOMICS_HTTP_PROT": "1"],
            source: "environment variable AUTONOMICS_HTTP_PROT",
            key: "http.prot",
            expected: "a known setting: AUTONOMICS_HTTP_HOST, AUTONOMICS_HTTP_PORT",
            found: "\"AUTONOMICS_HTTP_PROT\""
        ),
        ErrorCase(
            name: "environment: unknown kafka setting",
            environment: ["AUTONOMICS_KAFKA_PROPERTIES": "x"],
            source: "environment variable AUTONOMICS_KAFKA_PROPERTIES",
            key: "kafka.properties",
            expected: "a known setting: AUTONOMICS_KAFKA_BROKERS, AUTONOMICS_KAFKA_GROUP, AUTONOMICS_RDKAFKA_<NAME>",
            found: "\"AUTONOMICS_KAFKA_PROPERTIES\""
        ),
        ErrorCase(
            name: "environment: property without a name",
            environment: ["AUTONOMICS_RDKAFKA_": "x"],
            source: "environment variable AUTONOMICS_RDKAFKA_",
            key: "kafka.properties",
            expected: "a librdkafka property name",
            found: "\"\""
        ),
        ErrorCase(
            name: "environment: empty metric in list",
            environment: ["AUTONOMICS_INTAKE_KNOWN_METRICS": "cpu_utilization,,error_rate"],
            source: "environment variable AUTONOMICS_INTAKE_KNOWN_METRICS",
            key: "intake.known_metrics",
            expected: "a non-empty list of non-empty strings",
            found: "\"cpu_utilization,,error_rate\""
        ),
        ErrorCase(
            name: "flag: out of range",
            flags: ["http.port": "-1"],
            source: "command line",
            key: "http.port",
            expected: "an integer 0…65535",
            found: "\"-1\""
        ),
        ErrorCase(
            name: "flag: unknown setting",
            flags: ["log.colour": "yes"],
            source: "command line",
            key: "log.colour",
            expected: "a known setting: log.level, log.format",
            found: "\"log.colour\""
        ),
        ErrorCase(
            name: "flag: unknown log level",
            flags: ["log.level": "verbose"],
            source: "command line",
            key: "log.level",
            expected: "one of trace, debug, info, notice, warning, error, critical",
            found: "\"verbose\""
        ),
        ErrorCase(
            name: "flag: broker without port",
            flags: ["kafka.brokers": "kafka1:9092,kafka2"],
            source: "command line",
            key: "kafka.brokers",
            expected: "\"embedded\" or a comma-separated list of HOST:PORT",
            found: "\"kafka1:9092,kafka2\""
        ),
        ErrorCase(
            name: "flag: empty group",
            flags: ["kafka.group": ""],
            source: "command line",
            key: "kafka.group",
            expected: "a non-empty string",
            found: "\"\""
        ),
        ErrorCase(
            name: "flag: invalid topic name",
            flags: ["topics.tenant_events": "tenant events"],
            source: "command line",
            key: "topics.tenant_events",
            expected: "a Kafka topic name (1…249 characters of a-z A-Z 0-9 . _ -)",
            found: "\"tenant events\""
        ),
        ErrorCase(
            name: "topics that are not distinct",
            file: "[topics]\ndlq = \"autonomics.events\"\n",
            source: "FILE",
            key: "topics.dlq",
            expected: "a topic other than topics.events",
            found: "\"autonomics.events\""
        ),
    ]

    @Test(arguments: errorCases)
    func errorNamesSourceKeyAndExpectation(_ errorCase: ErrorCase) throws {
        try withTemporaryFile(errorCase.file ?? "") { path in
            let error = #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader.load(
                    file: errorCase.file == nil ? nil : path,
                    environment: errorCase.environment,
                    flags: errorCase.flags
                )
            }
            #expect(error?.source == errorCase.source.replacing("FILE", with: path))
            #expect(error?.key == errorCase.key)
            #expect(error?.expected == errorCase.expected)
            #expect(error?.found == errorCase.found)
        }
    }

    @Test func errorDescriptionReadsAsOneSentence() throws {
        try withTemporaryFile("[http]\nport = \"abc\"\n") { path in
            let error = #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader.load(file: path, environment: [:], flags: [:])
            }
            #expect(error?.description == "\(path): key \"http.port\": expected an integer 0…65535, found \"abc\"")
        }
    }

    @Test func signingKeyComesFromTheEnvironmentAndSignsWithTheKeyItNames() throws {
        let keys = try TestSigningKey()
        defer { keys.remove() }
        let configuration = try ConfigurationLoader.load(
            file: nil, environment: ["AUTONOMICS_RECEIPTS_SIGNING_KEY": keys.privateKeyFile], flags: [:])
        #expect(configuration.receipts.signingKey == keys.privateKeyFile)
        let signer = try #require(try configuration.receipts.signer())
        var ledger = ReceiptLedger(signer: signer)
        let receipt = ledger.append(kind: "transition", tenantID: "acme", fields: [:], now: 0)
        var verifier = ChainVerifier(publicKey: try LedgerVerification.publicKey(file: keys.publicKeyFile))
        verifier.add(receipt.bytes, location: "0")
        #expect(verifier.report().isValid)
        #expect(try WorkerConfiguration.Receipts().signer() == nil, "no key, no signer")
    }

    @Test func badSigningKeyFileStopsStartUpNamingTheFileTheKeyAndTheFormat() throws {
        let keys = try TestSigningKey()
        defer { keys.remove() }
        // The public key where the private one belongs.
        var configuration = WorkerConfiguration()
        configuration.receipts.signingKey = keys.publicKeyFile
        let error = #expect(throws: ConfigurationError.self) { try configuration.receipts.signer() }
        #expect(
            error?.description == "\(keys.publicKeyFile): key \"receipts.signing_key\": expected a PEM PKCS#8 Ed25519 "
                + "private key (openssl genpkey -algorithm ed25519), found a PEM block -----BEGIN PUBLIC KEY-----")
        // Before anything else: the embedded broker is never started.
        #expect(throws: ConfigurationError.self) { try Worker(configuration: configuration, logger: testLogger) }

        configuration.receipts.signingKey = keys.directory.appending(path: "absent.pem").path
        let missing = #expect(throws: ConfigurationError.self) { try configuration.receipts.signer() }
        #expect(missing?.source == configuration.receipts.signingKey)
        #expect(missing?.key == "receipts.signing_key")
        #expect(missing?.expected == "a readable PEM file")
    }

    @Test func missingFileIsAnErrorNamingIt() {
        let path = "/nonexistent/autonomics.toml"
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(file: path, environment: [:], flags: [:])
        }
        #expect(error?.source == path)
        #expect(error?.key == nil)
        #expect(error?.description.hasPrefix("\(path): expected a readable UTF-8 file, found ") == true)
    }
}

/// Runs `body` with the path of a temporary file holding `contents`, removed afterwards.
private func withTemporaryFile<Result>(_ contents: String, _ body: (String) throws -> Result) throws -> Result {
    let path = FileManager.default.temporaryDirectory.appending(path: "autonomics-\(UUID()).toml").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}
