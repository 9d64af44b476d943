import AutonomicsCore
import Metrics

/// The actuator's metrics, through swift-metrics:
///
/// | Prometheus name | type | labels |
/// |---|---|---|
/// | `autonomics_actions_total` | counter | `adapter`, `result` (`changed`, `unchanged`, `dry_run`, `failed`, `refused`) |
/// | `autonomics_action_duration_seconds` | histogram | `adapter` |
/// | `autonomics_actions_in_flight` | gauge | |
///
/// `refused` counts requests turned away because their tenant already had one in flight. Label sets are created up
/// front (there are few), which also exports them at zero.
public struct ActuatorMetrics: Sendable {
    /// A result label value besides the report kinds.
    static let refused = "refused"

    private let actions: [Key: Counter]
    private let durations: [String: Timer]
    private let inFlight: Gauge

    private struct Key: Hashable {
        var adapter: String
        var result: String
    }

    /// - Parameter factory: Default: the global `MetricsSystem.factory`; tests pass their own.
    public init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        let results = ActionReport.Kind.allCases.map(\.rawValue) + [Self.refused]
        var actions: [Key: Counter] = [:]
        var durations: [String: Timer] = [:]
        for adapter in ActionAdapter.allNames {
            for result in results {
                actions[Key(adapter: adapter, result: result)] = Counter(
                    label: "autonomics_actions_total", dimensions: [("adapter", adapter), ("result", result)],
                    factory: factory)
            }
            durations[adapter] = Timer(
                label: "autonomics_action_duration_seconds", dimensions: [("adapter", adapter)], factory: factory)
        }
        self.actions = actions
        self.durations = durations
        self.inFlight = Gauge(label: "autonomics_actions_in_flight", factory: factory)
    }

    func performed(adapter: String, kind: ActionReport.Kind, duration: Duration) {
        self.actions[Key(adapter: adapter, result: kind.rawValue)]?.increment()
        self.durations[adapter]?.record(duration: duration)
    }

    func refused(adapter: String) {
        self.actions[Key(adapter: adapter, result: Self.refused)]?.increment()
    }

    func setInFlight(_ count: Int) {
        self.inFlight.record(count)
    }
}
