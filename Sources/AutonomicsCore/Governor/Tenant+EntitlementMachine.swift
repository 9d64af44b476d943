extension Tenant {
    /// The tenant's Marketplace entitlement, following the Procurement API's states:
    /// activation requested → active ⇄ suspended; pending plan change (approval) → active; pending cancellation →
    /// cancelled; deleted. Each snapshot (a GET of the entitlement) moves it along ``allowedTransitions``; a
    /// snapshot that would move it backwards arrived late and is receipted and ignored.
    public struct EntitlementMachine: Sendable, Hashable {
        public enum State: String, Sendable, Hashable, CaseIterable {
            /// No snapshot yet.
            case unknown
            case activationRequested = "activation_requested"
            case active
            case suspended
            case pendingPlanChange = "pending_plan_change"
            case pendingPlanChangeApproval = "pending_plan_change_approval"
            case pendingCancellation = "pending_cancellation"
            case cancelled
            case deleted

            /// The state of a Procurement `Entitlement.state` value; nil for `ENTITLEMENT_STATE_UNSPECIFIED` and
            /// values this worker does not know. A deleted entitlement is not found: the worker says `.deleted`.
            public init?(procurementState: String) {
                switch procurementState {
                case "ENTITLEMENT_ACTIVATION_REQUESTED": self = .activationRequested
                case "ENTITLEMENT_ACTIVE": self = .active
                case "ENTITLEMENT_SUSPENDED": self = .suspended
                case "ENTITLEMENT_PENDING_PLAN_CHANGE": self = .pendingPlanChange
                case "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL": self = .pendingPlanChangeApproval
                case "ENTITLEMENT_PENDING_CANCELLATION": self = .pendingCancellation
                case "ENTITLEMENT_CANCELLED": self = .cancelled
                default: return nil
                }
            }

            /// Whether the customer is paying for service: active, or active with a plan change or a cancellation
            /// at the end of the term pending. Only then may the governor act for the tenant.
            public var isServing: Bool {
                switch self {
                case .active, .pendingPlanChange, .pendingPlanChangeApproval, .pendingCancellation: true
                case .unknown, .activationRequested, .suspended, .cancelled, .deleted: false
                }
            }
        }

        public internal(set) var state: State = .unknown
        public internal(set) var entitlementID: String?
        public internal(set) var plan: String?
        public internal(set) var pendingPlan: String?
        /// The `updateTime` of the newest snapshot taken, in milliseconds since the epoch.
        public internal(set) var updateTime: Int64?

        /// Whether the governor may act for the tenant.
        public var isServing: Bool { state.isServing }

        /// Which states a snapshot may move each state to; staying is allowed (a repeated read), and no snapshot
        /// says `unknown`.
        public static let allowedTransitions: [State: Set<State>] = [
            .unknown: Set(State.allCases).subtracting([.unknown]),
            .activationRequested: [.activationRequested, .active, .cancelled, .deleted],
            .active: [
                .active, .suspended, .pendingPlanChange, .pendingPlanChangeApproval, .pendingCancellation, .cancelled,
                .deleted,
            ],
            .suspended: [.suspended, .active, .pendingCancellation, .cancelled, .deleted],
            .pendingPlanChange: [
                .pendingPlanChange, .pendingPlanChangeApproval, .active, .suspended, .pendingCancellation, .cancelled,
                .deleted,
            ],
            .pendingPlanChangeApproval: [
                .pendingPlanChangeApproval, .pendingPlanChange, .active, .suspended, .pendingCancellation, .cancelled,
                .deleted,
            ],
            .pendingCancellation: [.pendingCancellation, .active, .cancelled, .deleted],
            .cancelled: [.cancelled, .deleted],
            .deleted: [.deleted],
        ]

        /// Takes a snapshot in, receipting it with the Procurement call the approval policy asks for.
        /// - Returns: whether the snapshot was taken (not stale, not another live entitlement of the account).
        mutating func take(_ snapshot: EntitlementSnapshot, tenantID: String, spec: SKUSpec, log: inout DecisionLog)
            -> Bool
        {
            let before = state
            var fields: [String: JSONValue] = [
                "entitlement_id": .string(snapshot.entitlementID), "reported_state": .string(snapshot.state.rawValue),
            ]
            // A new purchase may follow a finished one; while one is live, another entitlement is not this machine's.
            let isSameEntitlement = entitlementID == nil || entitlementID == snapshot.entitlementID
            let startsOver = !isSameEntitlement && (state == .cancelled || state == .deleted)
            let isOlder = isSameEntitlement && snapshot.updateTime.map { new in updateTime.map { new < $0 } ?? false } == true
            guard startsOver || (isSameEntitlement && !isOlder && Self.allowedTransitions[state]!.contains(snapshot.state)) else {
                fields["ignored"] = .string(isSameEntitlement ? "stale_state" : "other_live_entitlement")
                log.receipt(
                    .entitlement, machine: "entitlement", before: before.rawValue, after: before.rawValue, fields)
                return false
            }
            if startsOver { self = EntitlementMachine() }
            entitlementID = snapshot.entitlementID
            state = snapshot.state
            plan = snapshot.plan ?? plan
            pendingPlan = snapshot.newPendingPlan
            updateTime = snapshot.updateTime ?? updateTime
            if let plan {
                fields["plan"] = .string(plan)
                fields["tier"] = spec.tier(forPlan: plan).map { .string($0.name) } ?? .null
            }
            if let pendingPlan { fields["pending_plan"] = .string(pendingPlan) }
            let request = procurementRequest(spec.approval)
            if let request { fields["procurement"] = request.receiptValue }
            log.receipt(.entitlement, machine: "entitlement", before: before.rawValue, after: state.rawValue, fields)
            if let request { log.request(request) }
            return true
        }

        /// The call the approval policy asks for in the current state. An entitlement already approved is past
        /// these states, so a repeated notification asks for nothing.
        private func procurementRequest(_ policy: ApprovalPolicy) -> ProcurementRequest? {
            guard let entitlementID else { return nil }
            switch state {
            case .activationRequested:
                guard let plan else { return nil }
                switch policy.decision(forPlan: plan) {
                case .approve: return ProcurementRequest(entitlementID: entitlementID, call: .approve)
                case .reject(let reason):
                    return ProcurementRequest(entitlementID: entitlementID, call: .reject(reason: reason))
                case .manual: return nil
                }
            case .pendingPlanChangeApproval:
                guard let pendingPlan else { return nil }
                switch policy.decision(forPlan: pendingPlan) {
                case .approve:
                    return ProcurementRequest(
                        entitlementID: entitlementID, call: .approvePlanChange(pendingPlan: pendingPlan))
                case .reject(let reason):
                    return ProcurementRequest(
                        entitlementID: entitlementID, call: .rejectPlanChange(pendingPlan: pendingPlan, reason: reason))
                case .manual: return nil
                }
            case .unknown, .active, .suspended, .pendingPlanChange, .pendingCancellation, .cancelled, .deleted:
                return nil
            }
        }
    }
}
