import Testing

@testable import AutonomicsCore

@Suite("Entitlement machine: every (state, snapshot) cell")
struct EntitlementMachineTests {
    typealias State = Tenant.EntitlementMachine.State

    /// Row: the state before; the snapshot states (in `snapshotStates` order) it moves to, `·` where the snapshot
    /// is stale and ignored. Written out by hand from the Procurement lifecycle, apart from the implementation's table.
    static let snapshotStates: [State] = [
        .activationRequested, .active, .suspended, .pendingPlanChange, .pendingPlanChangeApproval, .pendingCancellation,
        .cancelled, .deleted,
    ]
    static let expected: [State: String] = [
        // Columns: activation requested, active, suspended, pending plan change, … approval, pending cancellation,
        // cancelled, deleted.
        .unknown:                   "R   A   S   C   P   X   N   D",
        .activationRequested:       "R   A   ·   ·   ·   ·   N   D",
        .active:                    "·   A   S   C   P   X   N   D",
        .suspended:                 "·   A   S   ·   ·   X   N   D",
        .pendingPlanChange:         "·   A   S   C   P   X   N   D",
        .pendingPlanChangeApproval: "·   A   S   C   P   X   N   D",
        .pendingCancellation:       "·   A   ·   ·   ·   X   N   D",
        .cancelled:                 "·   ·   ·   ·   ·   ·   N   D",
        .deleted:                   "·   ·   ·   ·   ·   ·   ·   D",
    ]

    /// A tenant whose entitlement `ent-1` is in `state`.
    static func tenant(in state: State) -> Tenant {
        var tenant = Tenant(id: "acme")
        if state != .unknown { PolicyFixtures.feed(&tenant, [PolicyFixtures.entitlement(state)]) }
        return tenant
    }

    @Test(
        "each cell moves to the snapshot's state or ignores it, with one entitlement receipt", arguments: State.allCases
    )
    func row(_ before: State) throws {
        let cells = try #require(Self.expected[before]).split(separator: " ", omittingEmptySubsequences: true)
        #expect(cells.count == Self.snapshotStates.count)
        for (snapshotState, cell) in zip(Self.snapshotStates, cells) {
            let tenant = Self.tenant(in: before)
            #expect(tenant.entitlement.state == before)
            let decision = tenant.decide(
                PolicyFixtures.entitlement(snapshotState, at: PolicyFixtures.start + 1), spec: PolicyFixtures.spec)
            let taken = cell != "·"
            #expect(
                decision.tenant.entitlement.state == (taken ? snapshotState : before), "\(before) + \(snapshotState)")
            #expect(Tenant.EntitlementMachine.allowedTransitions[before]!.contains(snapshotState) == taken)
            let receipt = try #require(decision.receipts.first)
            #expect(receipt.kind == .entitlement)
            #expect(receipt.fields["state_before"] == .string(before.rawValue))
            #expect(receipt.fields["state_after"] == .string(decision.tenant.entitlement.state.rawValue))
            #expect((receipt.fields["ignored"] == "stale_state") == !taken)
            // The governor refuses exactly when the entitlement stops serving.
            #expect((decision.tenant.governor.state == .refusing) == !decision.tenant.entitlement.isServing)
        }
    }

    @Test("a snapshot older than the one taken is stale: a late ACTIVE does not undo a suspension")
    func olderSnapshotIsStale() {
        func snapshot(_ state: State, updated: Int64) -> TenantInput {
            .entitlement(EntitlementSnapshot(
                entitlementID: "ent-1", state: state, plan: "pro-monthly", updateTime: updated, time: PolicyFixtures.start))
        }
        var tenant = Tenant(id: "acme")
        PolicyFixtures.feed(&tenant, [snapshot(.active, updated: 1_000), snapshot(.suspended, updated: 3_000)])
        let late = tenant.decide(snapshot(.active, updated: 2_000), spec: PolicyFixtures.spec)
        #expect(late.tenant.entitlement.state == .suspended)
        #expect(late.tenant.governor.state == .refusing)
        #expect(late.receipts.first?.fields["ignored"] == "stale_state")
        let newer = tenant.decide(snapshot(.active, updated: 4_000), spec: PolicyFixtures.spec)
        #expect(newer.tenant.entitlement.state == .active, "a newer one reactivates")
    }

    @Test("a snapshot never says unknown: always stale")
    func unknownSnapshot() {
        for before in State.allCases {
            let decision = Self.tenant(in: before).decide(
                PolicyFixtures.entitlement(.unknown), spec: PolicyFixtures.spec)
            #expect(decision.tenant.entitlement.state == before)
        }
    }

    @Test("serving states are active and its pending variants")
    func serving() {
        #expect(
            State.allCases.filter(\.isServing) == [
                .active, .pendingPlanChange, .pendingPlanChangeApproval, .pendingCancellation,
            ])
    }

    @Test("Procurement state names map to the machine's states")
    func procurementNames() {
        #expect(State(procurementState: "ENTITLEMENT_ACTIVATION_REQUESTED") == .activationRequested)
        #expect(State(procurementState: "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL") == .pendingPlanChangeApproval)
        #expect(State(procurementState: "ENTITLEMENT_SUSPENDED") == .suspended)
        #expect(State(procurementState: "ENTITLEMENT_STATE_UNSPECIFIED") == nil)
    }

    /// Plan → the call asked for in activation requested, and in pending plan change approval.
    @Test(
        "the approval policy decides the Procurement call",
        arguments: [
            (
                "basic-monthly", ProcurementRequest.Call.approve,
                ProcurementRequest.Call.approvePlanChange(pendingPlan: "basic-monthly")
            ),
            (
                "legacy", .reject(reason: "plan retired"),
                .rejectPlanChange(pendingPlan: "legacy", reason: "plan retired")
            ),
        ])
    func approval(plan: String, activation: ProcurementRequest.Call, planChange: ProcurementRequest.Call) {
        let requested = Tenant(id: "acme").decide(
            PolicyFixtures.entitlement(.activationRequested, plan: plan), spec: PolicyFixtures.spec)
        #expect(requested.procurementRequests == [ProcurementRequest(entitlementID: "ent-1", call: activation)])
        #expect(requested.receipts.first?.fields["procurement"]?["entitlement_id"] == "ent-1")

        let change = Self.tenant(in: .active).decide(
            PolicyFixtures.entitlement(.pendingPlanChangeApproval, plan: "pro-monthly", pending: plan),
            spec: PolicyFixtures.spec)
        #expect(change.procurementRequests == [ProcurementRequest(entitlementID: "ent-1", call: planChange)])
        #expect(change.tenant.entitlement.pendingPlan == plan)
    }

    @Test("an unlisted plan is left for manual approval; an approved entitlement asks for nothing again")
    func manualAndDone() {
        let manual = Tenant(id: "acme").decide(
            PolicyFixtures.entitlement(.activationRequested, plan: "pro-enterprise"), spec: PolicyFixtures.spec)
        #expect(manual.procurementRequests.isEmpty)
        #expect(manual.tenant.governor.state == .refusing)
        for state in State.allCases where state != .activationRequested && state != .pendingPlanChangeApproval {
            let decision = Self.tenant(in: .unknown).decide(
                PolicyFixtures.entitlement(state), spec: PolicyFixtures.spec)
            #expect(decision.procurementRequests.isEmpty, "\(state)")
        }
    }

    @Test("another live entitlement of the account is ignored; after cancellation a new one starts over")
    func otherEntitlement() {
        let active = Self.tenant(in: .active)
        let rival = active.decide(
            PolicyFixtures.entitlement(.activationRequested, id: "ent-2"), spec: PolicyFixtures.spec)
        #expect(rival.tenant.entitlement.entitlementID == "ent-1")
        #expect(rival.receipts.first?.fields["ignored"] == "other_live_entitlement")

        let renewed = Self.tenant(in: .cancelled).decide(
            PolicyFixtures.entitlement(.activationRequested, plan: "basic-monthly", id: "ent-2"),
            spec: PolicyFixtures.spec)
        #expect(renewed.tenant.entitlement.entitlementID == "ent-2")
        #expect(renewed.tenant.entitlement.state == .activationRequested)
        #expect(renewed.procurementRequests == [ProcurementRequest(entitlementID: "ent-2", call: .approve)])
    }

    @Test("a serving plan the spec does not map is refused")
    func unmappedPlan() {
        let decision = Tenant(id: "acme").decide(
            PolicyFixtures.entitlement(.active, plan: "gold"), spec: PolicyFixtures.spec)
        #expect(decision.tenant.governor.state == .refusing)
        #expect(decision.tenant.governor.refusal == .planWithoutTier("gold"))
    }
}
