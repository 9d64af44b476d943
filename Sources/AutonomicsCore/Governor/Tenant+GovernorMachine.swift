extension Tenant {
    /// The tenant's governor: `boot → stable → warning → intervening → degraded | refusing`.
    ///
    /// - `boot`: no entitlement known yet; nothing is evaluated or done.
    /// - `stable` / `warning`: signals are evaluated against the spec's rules for the tenant's tier; `warning` while
    ///   some rule has consecutive highs or fired with a warning only.
    /// - `intervening`: exactly one action in flight. Signals are postponed (at most the spec's limit; more are
    ///   dropped and counted) and re-evaluated once the result is in.
    /// - `degraded`: an action failed. Signals are still evaluated, but no action is taken until an operator resets.
    /// - `refusing`: the entitlement is not serving, its plan has no tier, or a rule said `refuse`. No action is
    ///   ever taken; it ends on reactivation (or, after a rule's refusal, a plan change) or an operator reset.
    public struct GovernorMachine: Sendable, Hashable {
        public enum State: String, Sendable, Hashable, CaseIterable {
            case boot, stable, warning, intervening, degraded, refusing
        }

        /// Why a tenant is `refusing`.
        public enum Refusal: Sendable, Hashable {
            case entitlement(EntitlementMachine.State)
            case planWithoutTier(String)
            case rule(name: String, reason: String)

            var reason: String {
                switch self {
                case .entitlement(let state): "entitlement is \(state.rawValue), not active"
                case .planWithoutTier(let plan): "plan \(plan) has no tier in the SKU spec"
                case .rule(let name, let reason): "rule \(name): \(reason)"
                }
            }
        }

        public internal(set) var state: State = .boot
        public internal(set) var refusal: Refusal?
        /// The action in flight; at most one.
        public internal(set) var inFlight: ActionRequest?
        /// Signals that came while `intervening`, oldest first.
        public internal(set) var postponed: [TenantSignal] = []
        /// Signals dropped because ``postponed`` was full, ever.
        public internal(set) var postponedOverflow: Int64 = 0
        /// Rule name → high values in a row; rules at zero are absent.
        public internal(set) var highStreaks: [String: Int] = [:]
        /// The fired rule's actions still to take, one after the other.
        var remainingActions: [String] = []
        /// Numbers the next action request.
        var requestCount: Int64 = 0

        /// What a decision needs beyond the machine's own state.
        struct Context {
            let spec: SKUSpec
            let tenantID: String
            let entitlementState: EntitlementMachine.State
            let plan: String?
            /// The tenant's tier, nil unless its entitlement is serving and its plan maps to a tier.
            let tier: SKUSpec.Tier?

            /// Why the tenant must be refused regardless of signals, nil when it may be governed.
            var entitlementRefusal: Refusal? {
                guard entitlementState.isServing else { return .entitlement(entitlementState) }
                guard let plan else { return .entitlement(entitlementState) }
                return tier == nil ? .planWithoutTier(plan) : nil
            }
        }

        static let machine = "governor"

        // MARK: Inputs

        mutating func take(_ signal: TenantSignal, context: Context, log: inout DecisionLog) {
            guard let metric = context.spec.metrics.canonicalName(signal.metric) else {
                log.receipt(
                    .ignored, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                    ["reason": "unknown_metric"])
                return
            }
            switch state {
            case .boot, .refusing:
                log.receipt(
                    .refusal, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                    ["reason": .string(refusal?.reason ?? "entitlement not known yet")])
            case .intervening:
                if postponed.count < context.spec.postponedSignalLimit {
                    postponed.append(signal)
                    log.receipt(
                        .postponed, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                        ["postponed": .integer(Int64(postponed.count))])
                } else {
                    postponedOverflow += 1
                    log.receipt(
                        .postponed, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                        ["dropped": "postponed_full", "postponed_overflow": .integer(postponedOverflow)])
                }
            case .stable, .warning, .degraded:
                evaluate(signal, metric: metric, context: context, log: &log)
            }
        }

        mutating func take(_ result: ActionResult, context: Context, log: inout DecisionLog) {
            guard let request = inFlight, request.id == result.requestID else {
                log.receipt(
                    .ignored, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                    ["reason": "stale_action_result"])
                return
            }
            let before = state
            inFlight = nil
            if state == .intervening {
                switch result.outcome {
                case .succeeded: state = remainingActions.isEmpty ? .stable : .intervening
                case .failed: state = .degraded
                }
            }
            if state != .intervening { remainingActions = [] }
            if state == .stable { highStreaks = [:] }
            let fields: [String: JSONValue] = [
                "action": request.receiptValue, "rule": .string(request.rule),
                "outcome": .string(result.outcome.rawValue),
                "http_status": result.httpStatus.map { .integer(Int64($0)) } ?? .null,
                "google_status": result.googleStatus.map(JSONValue.string) ?? .null,
                "pre_action_value": result.preActionValue ?? .null, "postponed": .integer(Int64(postponed.count)),
            ]
            log.receipt(.actionResult, machine: Self.machine, before: before.rawValue, after: state.rawValue, fields)
            if state == .intervening {
                startNext(rule: request.rule, context: context, log: &log)
            }
            reevaluatePostponed(context: context, log: &log)
        }

        mutating func take(_ command: OperatorCommand, context: Context, log: inout DecisionLog) {
            switch command.kind {
            case .reset:
                guard state == .refusing || state == .degraded else {
                    log.receipt(
                        .ignored, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                        ["reason": "nothing_to_reset"])
                    return
                }
                if let refusal = context.entitlementRefusal {
                    log.receipt(
                        .refusal, machine: Self.machine, before: state.rawValue, after: state.rawValue,
                        ["reason": .string("reset refused: " + refusal.reason)])
                    return
                }
                resume(reason: "operator reset", log: &log)
                reevaluatePostponed(context: context, log: &log)
            }
        }

        /// Follows the entitlement: refuse when it stops serving, resume when it serves again.
        mutating func entitlementChanged(context: Context, planChanged: Bool, log: inout DecisionLog) {
            if let refusal = context.entitlementRefusal {
                guard self.refusal != refusal else { return }
                let before = state
                state = .refusing
                self.refusal = refusal
                remainingActions = []
                log.receipt(
                    .transition, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                    ["reason": .string(refusal.reason)])
                return
            }
            switch (state, refusal) {
            case (.boot, _), (.refusing, .entitlement?), (.refusing, .planWithoutTier?):
                resume(reason: "entitlement active", log: &log)
            case (.refusing, .rule?) where planChanged:
                resume(reason: "plan changed", log: &log)
            default:
                return
            }
            reevaluatePostponed(context: context, log: &log)
        }

        // MARK: Decisions

        /// Leaves `boot`, `refusing` or `degraded` for `stable`, or `intervening` if an action is still in flight.
        private mutating func resume(reason: String, log: inout DecisionLog) {
            let before = state
            state = inFlight == nil ? .stable : .intervening
            refusal = nil
            highStreaks = [:]
            log.receipt(
                .transition, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                ["reason": .string(reason)])
        }

        /// Updates the streaks of the metric's rules and acts on the first rule that fires.
        private mutating func evaluate(_ signal: TenantSignal, metric: String, context: Context, log: inout DecisionLog)
        {
            guard let tier = context.tier else { return }
            var fired: (rule: PolicyRule, outcome: RuleOutcome)?
            for rule in context.spec.rules where rule.metric == metric {
                // Validation gave every rule an outcome for every tier of the same spec.
                let outcome = rule.outcomes[tier.name]!
                guard outcome != .ok else { continue }
                let streak = rule.isHigh(signal.value) ? highStreaks[rule.name, default: 0] + 1 : 0
                highStreaks[rule.name] = streak == 0 ? nil : streak
                if fired == nil && streak >= rule.consecutive { fired = (rule, outcome) }
            }
            let before = state
            guard let fired else {
                if state != .degraded { state = highStreaks.isEmpty ? .stable : .warning }
                if state != before {
                    log.receipt(.transition, machine: Self.machine, before: before.rawValue, after: state.rawValue)
                }
                return
            }
            let (rule, outcome) = fired
            // A fired rule builds its streak anew: the next firing needs as many highs again.
            highStreaks[rule.name] = nil
            let ruleFields: [String: JSONValue] = ["rule": .string(rule.name), "threshold": .string(rule.above)]
            switch outcome {
            case .ok:
                return
            case .refuse(let reason):
                let refusal = Refusal.rule(name: rule.name, reason: reason)
                state = .refusing
                self.refusal = refusal
                log.receipt(
                    .refusal, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                    ruleFields.merging(["reason": .string(refusal.reason)]) { $1 })
            case .warn(let actions) where state == .degraded && !actions.isEmpty:
                log.receipt(
                    .refusal, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                    ruleFields.merging(["reason": "degraded: no action until an operator resets the tenant"]) { $1 })
            case .warn(let actions):
                if state != .degraded { state = .warning }
                log.receipt(
                    .transition, machine: Self.machine, before: before.rawValue, after: state.rawValue, ruleFields)
                remainingActions = actions
                startNext(rule: rule.name, context: context, log: &log)
            }
        }

        /// Requests the next of ``remainingActions`` whose target the bindings name; refuses those they do not.
        /// Ends `intervening` (in `stable`) when none is left.
        private mutating func startNext(rule: String, context: Context, log: inout DecisionLog) {
            while !remainingActions.isEmpty {
                let name = remainingActions.removeFirst()
                let before = state
                do throws(ActionRefusal) {
                    let request = try makeRequest(name, rule: rule, context: context)
                    state = .intervening
                    inFlight = request
                    log.receipt(
                        .actionAttempt, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                        ["action": request.receiptValue, "rule": .string(rule)])
                    log.request(request)
                    return
                } catch {
                    log.receipt(
                        .refusal, machine: Self.machine, before: before.rawValue, after: state.rawValue,
                        ["rule": .string(rule), "reason": .string(error.reason), "action_name": .string(name)])
                }
            }
            if state == .intervening {
                state = .stable
                log.receipt(
                    .transition, machine: Self.machine, before: State.intervening.rawValue, after: state.rawValue,
                    ["rule": .string(rule)])
            }
        }

        /// Why an action cannot be requested for this tenant.
        private struct ActionRefusal: Error {
            let reason: String
        }

        /// The request for the spec's action `name`. A spec reloaded since the rule fired may lack the action or the
        /// tier's quota; that is refused, not trapped on.
        private mutating func makeRequest(_ name: String, rule: String, context: Context) throws(ActionRefusal)
            -> ActionRequest
        {
            guard let action = context.spec.actions[name] else {
                throw ActionRefusal(reason: "action \(name) is not in the SKU spec")
            }
            let target: String
            do throws(BindingError) {
                target = try context.spec.bindings.target(action.adapter.resource, tenantID: context.tenantID)
            } catch {
                throw ActionRefusal(reason: error.description)
            }
            var parameters: [String: JSONValue] = [:]
            if case .cloudRunThrottle(let limit) = action.adapter {
                switch limit {
                case .count(let count):
                    parameters["max_instances"] = .integer(count)
                case .quota(let quota):
                    guard let count = context.tier?.quotas[quota] else {
                        throw ActionRefusal(reason: "the tenant's tier has no quota \(quota)")
                    }
                    parameters["max_instances"] = .integer(count)
                }
            }
            requestCount += 1
            return ActionRequest(
                id: "\(context.tenantID)/\(requestCount)", tenantID: context.tenantID, action: action.name,
                adapter: action.adapter, target: target, parameters: parameters, rule: rule)
        }

        /// Once nothing is in flight, takes the postponed signals in again, oldest first (one may start another
        /// action, and postpone the rest anew).
        private mutating func reevaluatePostponed(context: Context, log: inout DecisionLog) {
            guard state != .intervening, !postponed.isEmpty else { return }
            let signals = postponed
            postponed = []
            for signal in signals {
                log.reevaluating(signal) { log in take(signal, context: context, log: &log) }
            }
        }
    }
}
