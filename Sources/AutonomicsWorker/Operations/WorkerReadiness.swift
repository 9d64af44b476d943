import Synchronization

/// Named conditions that must all hold before the worker reports ready on `/ready`,
/// e.g. `partitions-assigned`, `state-restored`, `broker-reachable`.
///
/// Components register their conditions at start and flip them as their state changes
/// (a rebalance sets `state-restored` back to unsatisfied until restoration finishes).
public final class WorkerReadiness: Sendable {
    private let conditions = Mutex<[String: Bool]>([:])

    /// Creates readiness with no conditions, which is ready.
    public init() {}

    /// Adds a condition that starts unsatisfied; a condition already known keeps its state.
    public func register(_ condition: String) {
        self.conditions.withLock { conditions in
            if conditions[condition] == nil {
                conditions[condition] = false
            }
        }
    }

    /// Records whether a condition holds, registering it if needed.
    public func set(_ condition: String, satisfied: Bool) {
        self.conditions.withLock { $0[condition] = satisfied }
    }

    /// Ready when every condition is satisfied; `pending` lists the others, sorted.
    public var status: (isReady: Bool, pending: [String]) {
        let pending = self.conditions.withLock { conditions in
            conditions.filter { !$0.value }.keys.sorted()
        }
        return (pending.isEmpty, pending)
    }
}
