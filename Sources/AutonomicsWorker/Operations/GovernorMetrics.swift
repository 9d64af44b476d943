import AutonomicsCore
import Metrics
import Synchronization

/// The governors' metrics:
///
/// | Prometheus name | type | labels |
/// |---|---|---|
/// | `autonomics_governor_tenants` | gauge | `state` (the governor machine's) |
/// | `autonomics_governor_transitions_total` | counter | `machine`, `from`, `to` |
/// | `autonomics_governor_decisions_total` | counter | `kind` (of the decision's receipts) |
/// | `autonomics_governor_postponed_signals_total` | counter | |
/// | `autonomics_governor_dropped_signals_total` | counter | (postponed signals over the spec's limit) |
/// | `autonomics_governor_undelivered_decisions_total` | counter | |
///
/// Shards count into a ``Counts`` value and hand it over once per batch.
public final class GovernorMetrics: Sendable {
    /// What one shard counted since it last handed its counts over.
    struct Counts {
        var receiptsWritten = 0
        var duplicates = 0
        var undelivered = 0
        var postponed = 0
        var dropped = 0
        /// Changes in the number of tenants per governor state.
        var tenantsByState: [Tenant.GovernorMachine.State: Int] = [:]
        var transitions: [Transition: Int] = [:]
        var decisionsByKind: [String: Int] = [:]

        /// A tenant this shard started holding, in `boot`.
        mutating func added(_ tenant: Tenant) {
            tenantsByState[tenant.governor.state, default: 0] += 1
        }

        mutating func record(_ decision: TenantDecision, before: Tenant) {
            let after = decision.tenant
            if before.governor.state != after.governor.state {
                tenantsByState[before.governor.state, default: 0] -= 1
                tenantsByState[after.governor.state, default: 0] += 1
                transitions[Transition(machine: "governor", from: before.governor.state.rawValue, to: after.governor.state.rawValue), default: 0] += 1
            }
            if before.entitlement.state != after.entitlement.state {
                let transition = Transition(machine: "entitlement", from: before.entitlement.state.rawValue, to: after.entitlement.state.rawValue)
                transitions[transition, default: 0] += 1
            }
            for draft in decision.receipts {
                decisionsByKind[draft.kind.rawValue, default: 0] += 1
                if draft.kind == .postponed {
                    if draft.fields["dropped"] == nil { postponed += 1 } else { dropped += 1 }
                }
            }
        }

        /// Tenants of a released partition: no longer this process's.
        mutating func forget(_ tenants: some Sequence<Tenant>) {
            for tenant in tenants {
                tenantsByState[tenant.governor.state, default: 0] -= 1
            }
        }
    }

    struct Transition: Hashable, Sendable {
        var machine: String
        var from: String
        var to: String
    }

    private let worker: (receipts: Counter, duplicates: Counter)
    private let tenantTotals = Mutex<[Tenant.GovernorMachine.State: Int]>([:])
    private let tenants: [Tenant.GovernorMachine.State: Gauge]
    private let transitions: MetricCache<Transition, Counter>
    private let decisions: MetricCache<String, Counter>
    private let postponed: Counter
    private let dropped: Counter
    private let undelivered: Counter

    init(factory: any MetricsFactory, receipts: Counter, duplicates: Counter) {
        worker = (receipts, duplicates)
        tenants = Dictionary(uniqueKeysWithValues: Tenant.GovernorMachine.State.allCases.map { state in
            (state, Gauge(label: "autonomics_governor_tenants", dimensions: [("state", state.rawValue)], factory: factory))
        })
        transitions = MetricCache { key in
            let dimensions = [("machine", key.machine), ("from", key.from), ("to", key.to)]
            return Counter(label: "autonomics_governor_transitions_total", dimensions: dimensions, factory: factory)
        }
        decisions = MetricCache { kind in
            Counter(label: "autonomics_governor_decisions_total", dimensions: [("kind", kind)], factory: factory)
        }
        postponed = Counter(label: "autonomics_governor_postponed_signals_total", factory: factory)
        dropped = Counter(label: "autonomics_governor_dropped_signals_total", factory: factory)
        undelivered = Counter(label: "autonomics_governor_undelivered_decisions_total", factory: factory)
    }

    /// Takes over a shard's counts.
    func record(_ counts: Counts) {
        if counts.receiptsWritten > 0 { worker.receipts.increment(by: counts.receiptsWritten) }
        if counts.duplicates > 0 { worker.duplicates.increment(by: counts.duplicates) }
        if counts.undelivered > 0 { undelivered.increment(by: counts.undelivered) }
        if counts.postponed > 0 { postponed.increment(by: counts.postponed) }
        if counts.dropped > 0 { dropped.increment(by: counts.dropped) }
        for (transition, count) in counts.transitions { transitions[transition].increment(by: count) }
        for (kind, count) in counts.decisionsByKind { decisions[kind].increment(by: count) }
        guard !counts.tenantsByState.isEmpty else { return }
        let totals = tenantTotals.withLock { totals in
            totals.merge(counts.tenantsByState, uniquingKeysWith: +)
            return totals
        }
        for (state, total) in totals { tenants[state]?.record(total) }
    }
}
