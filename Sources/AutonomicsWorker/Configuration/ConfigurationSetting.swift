import Foundation
import TOMLKit

/// One configurable value: its key, what it accepts, and how to read it from a source and print it.
///
/// ``all`` is the single list of settings that the file, environment and flag readers and
/// ``ConfigurationLoader/describe(_:)`` share, so a key is declared once. `kafka.properties`
/// is not in it: it is a table of free-form names, handled by the loader.
struct ConfigurationSetting: Sendable {
    /// A value as a source provides it.
    enum RawValue {
        /// A typed value from a TOML file.
        case toml(any TOMLValueConvertible)
        /// Text from an environment variable or a flag.
        case text(String)

        /// The value as written, for error messages.
        var literal: String {
            switch self {
            case .toml(let value): value.debugDescription
            case .text(let text): String(reflecting: text)
            }
        }
    }

    /// TOML table, e.g. `http`.
    let section: String
    /// snake_case key inside the section, e.g. `port`.
    let name: String
    /// What a valid value looks like, e.g. `an integer 0…65535`.
    let expected: String
    /// Stores the value if it has the right type and passes validation; returns whether it did.
    let store: @Sendable (RawValue, inout WorkerConfiguration) -> Bool
    /// The current value as TOML.
    let value: @Sendable (WorkerConfiguration) -> any TOMLValueConvertible

    /// Dotted key, e.g. `http.port`.
    var key: String { "\(self.section).\(self.name)" }

    /// e.g. `AUTONOMICS_HTTP_PORT`.
    var environmentName: String { "AUTONOMICS_\(self.section.uppercased())_\(self.name.uppercased())" }

    private init<Value>(
        _ key: String,
        _ path: any WritableKeyPath<WorkerConfiguration, Value> & Sendable,
        expected: String,
        fromTOML: @escaping @Sendable (any TOMLValueConvertible) -> Value?,
        fromText: @escaping @Sendable (String) -> Value?,
        isValid: @escaping @Sendable (Value) -> Bool = { _ in true },
        toTOML: @escaping @Sendable (Value) -> any TOMLValueConvertible
    ) {
        let dot = key.firstIndex(of: ".")!
        self.section = String(key[..<dot])
        self.name = String(key[key.index(after: dot)...])
        self.expected = expected
        self.store = { raw, configuration in
            let value: Value? =
                switch raw {
                case .toml(let value): fromTOML(value)
                case .text(let text): fromText(text)
                }
            guard let value, isValid(value) else { return false }
            configuration[keyPath: path] = value
            return true
        }
        self.value = { toTOML($0[keyPath: path]) }
    }
}

extension ConfigurationSetting {
    static func string(
        _ key: String,
        _ path: any WritableKeyPath<WorkerConfiguration, String> & Sendable,
        expected: String = "a non-empty string",
        isValid: @escaping @Sendable (String) -> Bool = { !$0.isEmpty }
    ) -> Self {
        Self(key, path, expected: expected, fromTOML: { $0.string }, fromText: { $0 }, isValid: isValid, toTOML: { $0 })
    }

    static func integer<Value: FixedWidthInteger & TOMLValueConvertible & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<WorkerConfiguration, Value> & Sendable,
        in range: ClosedRange<Value>
    ) -> Self {
        Self(
            key,
            path,
            expected: "an integer \(range.lowerBound)…\(range.upperBound)",
            fromTOML: { $0.int.flatMap { Value(exactly: $0) } },
            fromText: { Value($0) },
            isValid: { range.contains($0) },
            toTOML: { $0 }
        )
    }

    /// A TOML array of strings, or comma-separated text.
    static func list(_ key: String, _ path: any WritableKeyPath<WorkerConfiguration, [String]> & Sendable) -> Self {
        Self(
            key,
            path,
            expected: "a non-empty list of non-empty strings",
            fromTOML: { value in
                guard let array = value.array else { return nil }
                let strings = array.compactMap(\.string)
                return strings.count == array.count ? strings : nil
            },
            fromText: { text in
                text.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
            },
            isValid: { !$0.isEmpty && !$0.contains("") },
            toTOML: { $0 }
        )
    }

    static func choice<Value: RawRepresentable<String> & CaseIterable & Sendable>(
        _ key: String,
        _ path: any WritableKeyPath<WorkerConfiguration, Value> & Sendable
    ) -> Self {
        Self(
            key,
            path,
            expected: "one of " + Value.allCases.map(\.rawValue).joined(separator: ", "),
            fromTOML: { $0.string.flatMap(Value.init(rawValue:)) },
            fromText: { Value(rawValue: $0) },
            toTOML: { $0.rawValue }
        )
    }
}

extension ConfigurationSetting {
    /// Every setting, in the order of ``WorkerConfiguration``.
    static let all: [ConfigurationSetting] = [
        .string(
            "kafka.brokers",
            \.kafka.brokers,
            expected: "\"embedded\" or a comma-separated list of HOST:PORT",
            isValid: isBrokerList
        ),
        .string("kafka.group", \.kafka.group),
        .string("topics.events", \.topics.events, expected: topicExpectation, isValid: isTopicName),
        .string("topics.tenant_events", \.topics.tenantEvents, expected: topicExpectation, isValid: isTopicName),
        .string("topics.receipts", \.topics.receipts, expected: topicExpectation, isValid: isTopicName),
        .string("topics.dlq", \.topics.dlq, expected: topicExpectation, isValid: isTopicName),
        .string("topics.control", \.topics.control, expected: topicExpectation, isValid: isTopicName),
        .string("intake.monitoring_tenant_label", \.intake.monitoringTenantLabel),
        .integer("intake.signal_max_future_seconds", \.intake.signalMaxFutureSeconds, in: 0...86_400),
        .list("intake.known_metrics", \.intake.knownMetrics),
        .integer("intake.entitlement_cache_size", \.intake.entitlementCacheSize, in: 1...10_000_000),
        .string(
            "intake.procurement_provider_id", \.intake.procurementProviderID,
            expected: "a provider id without \"/\", or empty", isValid: { !$0.contains("/") }),
        .integer("receipts.dedup_window", \.receipts.dedupWindow, in: 1...4096),
        .string(
            "receipts.signing_key", \.receipts.signingKey, expected: "a path to a PEM Ed25519 private key, or empty",
            isValid: { _ in true }),
        .integer("embedded.brokers", \.embedded.brokers, in: 1...9),
        .integer("embedded.partitions", \.embedded.partitions, in: 1...256),
        .string("http.host", \.http.host),
        .integer("http.port", \.http.port, in: 0...65535),
        .string("worker.id", \.worker.id, expected: "a string", isValid: { _ in true }),
        .integer("worker.shutdown_deadline_seconds", \.worker.shutdownDeadlineSeconds, in: 1...600),
        .integer("worker.max_batch", \.worker.maxBatch, in: 1...100_000),
        .integer("worker.shards", \.worker.shards, in: 0...OutputToken.maximumShards),
        .integer("worker.shard_capacity", \.worker.shardCapacity, in: 100...1_000_000),
        .integer("worker.broker_unreachable_seconds", \.worker.brokerUnreachableSeconds, in: 1...3600),
        .choice("log.level", \.log.level),
        .choice("log.format", \.log.format),
        .string("gcp.run_endpoint", \.gcp.runEndpoint, expected: endpointExpectation, isValid: isEndpoint),
        .string("gcp.scheduler_endpoint", \.gcp.schedulerEndpoint, expected: endpointExpectation, isValid: isEndpoint),
        .string("gcp.pubsub_endpoint", \.gcp.pubsubEndpoint, expected: endpointExpectation, isValid: isEndpoint),
        .string("gcp.procurement_endpoint", \.gcp.procurementEndpoint, expected: endpointExpectation, isValid: isEndpoint),
        .string("gcp.ca_file", \.gcp.caFile, expected: "a path, or empty", isValid: { _ in true }),
        .integer("gcp.request_timeout_seconds", \.gcp.requestTimeoutSeconds, in: 1...600),
        .integer("gcp.connect_timeout_seconds", \.gcp.connectTimeoutSeconds, in: 1...120),
        .integer("gcp.max_connections_per_host", \.gcp.maxConnectionsPerHost, in: 1...100),
        .integer("gcp.max_attempts", \.gcp.maxAttempts, in: 1...20),
        .integer("gcp.breaker_failure_threshold", \.gcp.breakerFailureThreshold, in: 1...1000),
        .integer("gcp.breaker_open_seconds", \.gcp.breakerOpenSeconds, in: 1...3600),
        .string("governor.spec", \.governor.spec, expected: "the path of the SKU spec file", isValid: { !$0.isEmpty }),
        .integer("governor.max_concurrent_actions", \.governor.maxConcurrentActions, in: 1...1000),
        .integer("governor.action_deadline_seconds", \.governor.actionDeadlineSeconds, in: 1...3600),
        .choice("governor.actions", \.governor.actions),
    ]

    /// Keys that had another name in an earlier release, by their old name: an old key is still an error (a
    /// setting silently ignored is worse), but the error names the new one.
    static let renamed = [
        // It sizes both stages' polls, not only the receipts'.
        "receipts.max_batch": "worker.max_batch"
    ]

    /// Section names, in order.
    static let sections: [String] = all.reduce(into: []) { sections, setting in
        if sections.last != setting.section { sections.append(setting.section) }
    }

    static let byKey = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
    static let byEnvironmentName = Dictionary(uniqueKeysWithValues: all.map { ($0.environmentName, $0) })

    private static let endpointExpectation = "empty (Google's endpoint) or an http:// or https:// URL"

    private static func isEndpoint(_ text: String) -> Bool {
        text.isEmpty
            || ((text.hasPrefix("https://") || text.hasPrefix("http://")) && !text.contains(where: \.isWhitespace))
    }

    private static let topicExpectation = "a Kafka topic name (1…249 characters of a-z A-Z 0-9 . _ -)"

    /// Kafka's own rule for topic names.
    private static func isTopicName(_ name: String) -> Bool {
        name.count <= 249 && !["", ".", ".."].contains(name)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    private static func isBrokerList(_ text: String) -> Bool {
        guard text != "embedded" else { return true }
        return text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { broker in
            // The last colon, so that a bracketed IPv6 host such as [::1]:9092 also passes.
            guard let colon = broker.lastIndex(of: ":"), colon != broker.startIndex,
                let port = Int(broker[broker.index(after: colon)...])
            else { return false }
            return (1...65535).contains(port) && !broker.contains(where: \.isWhitespace)
        }
    }
}
