/// The signal metrics a spec's rules may name, each with its aliases (`cpu` → `cpu_utilization`), and Cloud
/// Monitoring metric types that stand for it.
public struct MetricVocabulary: Sendable, Hashable {
    /// Canonical metric names, sorted.
    public let metrics: [String]
    /// Alias (or canonical name) → canonical name.
    private let canonical: [String: String]

    /// - Parameter aliases: canonical name → its aliases.
    init(aliases: [String: [String]], reader: SpecReader) throws(SpecError) {
        var canonical: [String: String] = [:]
        for name in aliases.keys.sorted() { canonical[name] = name }
        for (name, names) in aliases.sorted(by: { $0.key < $1.key }) {
            for alias in names {
                if let other = canonical[alias], other != name {
                    throw reader.error(
                        .invalidValue, expected: "an alias not already taken by \(other)",
                        at: "\(name).aliases", found: .string(alias))
                }
                canonical[alias] = name
            }
        }
        self.metrics = aliases.keys.sorted()
        self.canonical = canonical
    }

    /// The canonical name of a metric or alias, nil for one the spec does not know.
    public func canonicalName(_ name: String) -> String? {
        canonical[name]
    }

    /// Every name a signal may carry: canonical names and aliases (for ``IntakeSettings/knownMetrics``).
    public var acceptedNames: Set<String> {
        Set(canonical.keys)
    }
}
