import Foundation
import TOMLKit

/// Builds a validated ``WorkerConfiguration`` from a TOML file, the environment and command-line flags.
///
/// Configuration keys are `section.snake_case_name`, one per property of ``WorkerConfiguration``:
/// in a file, `[http]` then `port = 8080`; in the environment, `AUTONOMICS_HTTP_PORT=8080`; as a flag,
/// `["http.port": "8080"]`. librdkafka properties are the table `[kafka.properties]`, the variables
/// `AUTONOMICS_RDKAFKA_<NAME>` (`SASL_PASSWORD` → `sasl.password`) or the flags `kafka.properties.<name>`.
/// `config/autonomics.toml` documents every key with its default and range.
public enum ConfigurationLoader {
    /// Loads the configuration. Precedence: flags > environment > file > defaults.
    ///
    /// - Parameters:
    ///   - file: Path of a TOML file. When `nil`, the path in `AUTONOMICS_CONFIG` is used, if set and not empty;
    ///     with neither, only defaults, environment and flags apply.
    ///   - environment: Usually `ProcessInfo.processInfo.environment`. Every `AUTONOMICS_*` variable must
    ///     be a known setting.
    ///   - flags: Dotted keys given on the command line, e.g. `["kafka.brokers": "127.0.0.1:9092"]`.
    /// - Throws: ``ConfigurationError`` naming the source, key and expectation of the first bad value.
    public static func load(
        file: String?,
        environment: [String: String],
        flags: [String: String]
    ) throws(ConfigurationError) -> WorkerConfiguration {
        var merge = Merge()
        if let path = file ?? environment[configFileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            try merge.apply(fileAt: path)
        }
        try merge.apply(environment: environment)
        try merge.apply(flags: flags)
        try merge.checkTopicsAreDistinct()
        return merge.configuration
    }

    /// The effective configuration as TOML text, for printing at start-up.
    ///
    /// Values of librdkafka properties whose name contains `password`, `secret`, `key`, `token` or `jaas`
    /// are replaced by `<redacted>`.
    public static func describe(_ configuration: WorkerConfiguration) -> String {
        let root = TOMLTable()
        for section in ConfigurationSetting.sections {
            let table = TOMLTable()
            for setting in ConfigurationSetting.all where setting.section == section {
                table[setting.name] = setting.value(configuration)
            }
            if section == "kafka", !configuration.kafka.properties.isEmpty {
                let properties = TOMLTable()
                for (name, value) in configuration.kafka.properties {
                    let isSecret = secretMarkers.contains { name.lowercased().contains($0) }
                    properties[name] = isSecret ? "<redacted>" : value
                }
                table["properties"] = properties
            }
            root[section] = table
        }
        return root.convert(to: .toml)
    }

    static let configFileVariable = "AUTONOMICS_CONFIG"
    static let propertyVariablePrefix = "AUTONOMICS_RDKAFKA_"
    static let propertyFlagPrefix = "kafka.properties."
    private static let secretMarkers = ["password", "secret", "key", "token", "jaas"]
}

extension ConfigurationLoader {
    /// The configuration being built, one source after the other.
    private struct Merge {
        var configuration = WorkerConfiguration()

        /// Which source last set each key, so that errors found after merging still name it.
        private var origins: [String: String] = [:]

        mutating func apply(fileAt path: String) throws(ConfigurationError) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError(
                    source: path,
                    expected: "a readable UTF-8 file",
                    found: (error as NSError).localizedFailureReason ?? error.localizedDescription
                )
            }
            let root: TOMLTable
            do {
                root = try TOMLTable(string: text)
            } catch {
                // TOMLTable(string:) throws only TOMLParseError; its region says where.
                let position = (error as? TOMLParseError).map {
                    ", line \($0.source.begin.line), column \($0.source.begin.column)"
                }
                throw ConfigurationError(
                    source: path + (position ?? ""),
                    expected: "valid TOML",
                    found: (error as? TOMLParseError)?.description ?? "\(error)"
                )
            }

            for (sectionName, sectionValue) in root {
                guard ConfigurationSetting.sections.contains(sectionName) else {
                    throw ConfigurationError(
                        source: path,
                        key: sectionName,
                        expected: "a section: " + ConfigurationSetting.sections.joined(separator: ", "),
                        found: String(reflecting: sectionName)
                    )
                }
                guard let section = sectionValue.table else {
                    throw ConfigurationError(
                        source: path,
                        key: sectionName,
                        expected: "a table [\(sectionName)]",
                        found: sectionValue.debugDescription
                    )
                }
                for (name, value) in section {
                    let key = "\(sectionName).\(name)"
                    if key == "kafka.properties" {
                        try self.apply(propertyTable: value, origin: path)
                    } else if let setting = ConfigurationSetting.byKey[key] {
                        try self.store(.toml(value), in: setting, origin: path)
                    } else {
                        throw unknownSetting(
                            name,
                            key: key,
                            section: sectionName,
                            origin: path,
                            spelling: \.name,
                            propertySpelling: "properties"
                        )
                    }
                }
            }
        }

        mutating func apply(environment: [String: String]) throws(ConfigurationError) {
            // Sorted, so that the same environment always reports the same first error.
            for (name, text) in environment.sorted(by: { $0.key < $1.key })
            where name.hasPrefix("AUTONOMICS_") && name != configFileVariable {
                let origin = "environment variable \(name)"
                if name.hasPrefix(propertyVariablePrefix) {
                    // librdkafka property names are lower case with dots and never contain underscores.
                    let property = name.dropFirst(propertyVariablePrefix.count).lowercased().replacing("_", with: ".")
                    try self.setProperty(property, to: text, origin: origin)
                } else if let setting = ConfigurationSetting.byEnvironmentName[name] {
                    try self.store(.text(text), in: setting, origin: origin)
                } else {
                    let section = ConfigurationSetting.sections.first {
                        name.hasPrefix("AUTONOMICS_\($0.uppercased())_")
                    }
                    // AUTONOMICS_HTTP_PROT → http.prot: as near to a key as a name that is none allows.
                    let unprefixed = name.dropFirst("AUTONOMICS_".count).lowercased()
                    throw unknownSetting(
                        name,
                        key: section.map { "\($0).\(unprefixed.dropFirst($0.count + 1))" } ?? unprefixed,
                        section: section,
                        origin: origin,
                        spelling: \.environmentName,
                        propertySpelling: "\(propertyVariablePrefix)<NAME>"
                    )
                }
            }
        }

        mutating func apply(flags: [String: String]) throws(ConfigurationError) {
            for (key, text) in flags.sorted(by: { $0.key < $1.key }) {
                let origin = "command line"
                if key.hasPrefix(propertyFlagPrefix) {
                    try self.setProperty(String(key.dropFirst(propertyFlagPrefix.count)), to: text, origin: origin)
                } else if let setting = ConfigurationSetting.byKey[key] {
                    try self.store(.text(text), in: setting, origin: origin)
                } else {
                    throw unknownSetting(
                        key,
                        key: key,
                        section: ConfigurationSetting.sections.first { key.hasPrefix("\($0).") },
                        origin: origin,
                        spelling: \.key,
                        propertySpelling: "\(propertyFlagPrefix)<name>"
                    )
                }
            }
        }

        /// Each topic has its own role (input, repartitioned input, ledger, dead letters);
        /// sharing one would feed a stage its own output.
        mutating func checkTopicsAreDistinct() throws(ConfigurationError) {
            let topics = self.configuration.topics
            let keyed = [
                ("topics.events", topics.events), ("topics.tenant_events", topics.tenantEvents),
                ("topics.receipts", topics.receipts), ("topics.dlq", topics.dlq), ("topics.control", topics.control),
            ]
            for (index, (key, topic)) in keyed.enumerated() {
                if let (otherKey, _) = keyed[..<index].first(where: { $0.1 == topic }) {
                    throw ConfigurationError(
                        source: self.origins[key] ?? "defaults",
                        key: key,
                        expected: "a topic other than \(otherKey)",
                        found: String(reflecting: topic)
                    )
                }
            }
        }

        /// The error for a name that is no setting, listing those of its section, or all when the
        /// section is unknown too, as the source spells them.
        private func unknownSetting(
            _ name: String,
            key: String,
            section: String?,
            origin: String,
            spelling: (ConfigurationSetting) -> String,
            propertySpelling: String
        ) -> ConfigurationError {
            if let newKey = ConfigurationSetting.renamed[key], let setting = ConfigurationSetting.byKey[newKey] {
                return ConfigurationError(
                    source: origin, key: key,
                    expected: "its new name, \(newKey) (environment: \(setting.environmentName))",
                    found: String(reflecting: name))
            }
            let candidates = ConfigurationSetting.all.filter { section == nil || $0.section == section }.map(spelling)
            let properties = section == nil || section == "kafka" ? [propertySpelling] : []
            return ConfigurationError(
                source: origin,
                key: key,
                expected: "a known setting: " + (candidates + properties).joined(separator: ", "),
                found: String(reflecting: name)
            )
        }

        private mutating func store(
            _ raw: ConfigurationSetting.RawValue,
            in setting: ConfigurationSetting,
            origin: String
        ) throws(ConfigurationError) {
            guard setting.store(raw, &self.configuration) else {
                throw ConfigurationError(
                    source: origin,
                    key: setting.key,
                    expected: setting.expected,
                    found: raw.literal
                )
            }
            self.origins[setting.key] = origin
        }

        private mutating func apply(
            propertyTable value: any TOMLValueConvertible,
            origin: String
        ) throws(ConfigurationError) {
            guard let table = value.table else {
                throw ConfigurationError(
                    source: origin,
                    key: "kafka.properties",
                    expected: "a table of librdkafka properties",
                    found: value.debugDescription
                )
            }
            for (name, value) in table {
                guard let text = value.string else {
                    throw ConfigurationError(
                        source: origin,
                        key: "kafka.properties.\(name)",
                        expected: "a string",
                        found: value.debugDescription
                    )
                }
                try self.setProperty(name, to: text, origin: origin)
            }
        }

        private mutating func setProperty(_ name: String, to value: String, origin: String) throws(ConfigurationError) {
            guard !name.isEmpty else {
                throw ConfigurationError(
                    source: origin,
                    key: "kafka.properties",
                    expected: "a librdkafka property name",
                    found: String(reflecting: name)
                )
            }
            self.configuration.kafka.properties[name] = value
        }
    }
}
