/// The signal metrics a spec's rules may name, each with its aliases (`cpu` → `cpu_utilization`), and Cloud
/// Monitoring metric types that stand for it.
public struct MetricVocabulary: Sendable, Hashable {
    /// Canonical metric names, sorted.
    public let metrics: [String]
    /// Alias (or canonical name) → canonical name.
    private let canonical: [String: String]

    /// - Parameter canonical: every accepted name (canonical names and aliases) → its canonical name.
    init(canonical: [String: String]) {
        self.metrics = Set(canonical.values).sorted()
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
