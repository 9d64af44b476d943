import Testing

@testable import AutonomicsCore

@Suite("Governor properties: random inputs for many tenants")
struct GovernorPropertyTests {
    typealias F = PolicyFixtures

    /// SplitMix64: small, seeded, the same sequence on every platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What a run produced, and any invariant it broke.
    struct Run {
        var receipts: [Receipt] = []
        var tenants: [String: Tenant] = [:]
        var actions = 0
        var refusals = 0
        var violations: [String] = []
    }

    /// Tenants with safe ids, and two whose ids must never reach a resource name.
    static let tenantIDs = (0..<40).map { "tenant-\($0)" } + ["evil/../tenant-1", "two words"]

    /// Drives random inputs through deciding, delivering (or losing) receipts and an actuator that answers
    /// requests at random, checking the invariants after every decision.
    static func run(seed: UInt64, steps: Int) -> Run {
        var random = SeededGenerator(state: seed)
        var tenants: [String: Tenant] = [:]
        var ledger = ReceiptLedger(specHash: F.spec.specHash)
        /// Requests the actuator holds, per tenant.
        var actuator: [String: ActionRequest] = [:]
        var run = Run()
        var time = F.start

        for step in 0..<steps {
            time += Int64.random(in: 1...5000, using: &random)
            let tenantID = tenantIDs.randomElement(using: &random)!
            let input = randomInput(for: tenantID, actuator: actuator, time: time, random: &random)
            let before = tenants[tenantID] ?? Tenant(id: tenantID)
            let decision = before.decide(input, spec: F.spec)
            check(decision, before: before, input: input, actuator: actuator, step: step, into: &run)

            // One delivery in ten fails: nothing is applied or committed, as in the runtime.
            guard Int.random(in: 0..<10, using: &random) > 0 else { continue }
            for step in ledger.steps(appending: decision.receipts, tenantID: tenantID, now: input.time) {
                if !ledger.commit(step) {
                    run.violations.append("step \(step.receipt.seq) of \(tenantID) did not commit")
                }
                run.receipts.append(step.receipt)
            }
            tenants[tenantID, default: Tenant(id: tenantID)].apply(decision)
            if case .actionResult(let result) = input, actuator[tenantID]?.id == result.requestID {
                actuator[tenantID] = nil
            }
            for request in decision.actionRequests {
                if actuator[tenantID] != nil {
                    run.violations.append("step \(step): second request in flight for \(tenantID)")
                }
                actuator[tenantID] = request
                run.actions += 1
            }
            run.refusals += decision.receipts.count { $0.kind == .refusal }
        }
        run.tenants = tenants
        return run
    }

    static func randomInput(
        for tenantID: String,
        actuator: [String: ActionRequest],
        time: Int64,
        random: inout SeededGenerator
    ) -> TenantInput {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<55:
            let metric = ["cpu", "cpu_utilization", "errors", "memory_utilization", "disk"].randomElement(
                using: &random)!
            let value = ["0", "12", "80.5", "80.51", "95", "100", "5", "6.25", "91"].randomElement(using: &random)!
            return F.signal(metric, value, id: "signal-\(time)", at: time)
        case 55..<70:
            let states = Tenant.EntitlementMachine.State.allCases.filter { $0 != .unknown }
            // Mostly active, so that tenants are governed long enough to act.
            let state = Bool.random(using: &random) ? .active : states.randomElement(using: &random)!
            return F.entitlement(
                state,
                plan: ["basic-monthly", "pro-monthly", "pro-enterprise", "gold", nil].randomElement(using: &random)!,
                pending: ["basic-monthly", "legacy", nil].randomElement(using: &random)!,
                id: Int.random(in: 0..<8, using: &random) == 0 ? "ent-2" : "ent-1", at: time)
        case 70..<93:
            let pending = actuator[tenantID]?.id ?? "\(tenantID)/0"
            let requestID = Int.random(in: 0..<10, using: &random) == 0 ? "\(tenantID)/999" : pending
            return F.result(requestID, Bool.random(using: &random) ? .succeeded : .failed, at: time)
        default:
            return F.reset(at: time)
        }
    }

    static func check(
        _ decision: TenantDecision, before: Tenant, input: TenantInput, actuator: [String: ActionRequest], step: Int,
        into run: inout Run
    ) {
        func violated(_ message: String) { run.violations.append("step \(step), \(before.id): \(message)") }
        let after = decision.tenant
        if decision.actionRequests.count > 1 { violated("more than one request in one decision") }
        for request in decision.actionRequests {
            if !before.entitlement.isServing || !after.entitlement.isServing {
                violated("action for an entitlement that is not serving")
            }
            if [.boot, .refusing, .degraded].contains(before.governor.state) {
                violated("action from \(before.governor.state)")
            }
            if let inFlight = before.governor.inFlight {
                guard case .actionResult(let result) = input, result.requestID == inFlight.id else {
                    violated("action while \(inFlight.id) is in flight")
                    continue
                }
            }
            if request.tenantID != before.id { violated("request for another tenant") }
            let bound = try? F.spec.bindings.target(request.adapter.resource, tenantID: before.id)
            if bound == nil || bound != request.target {
                violated("target \(request.target) outside the tenant's bindings")
            }
            if after.governor.inFlight != request { violated("request not recorded as in flight") }
        }
        if !after.entitlement.isServing && ![.boot, .refusing].contains(after.governor.state) {
            violated("governor \(after.governor.state) with entitlement \(after.entitlement.state)")
        }
        if after.governor.state == .intervening && after.governor.inFlight == nil {
            violated("intervening with nothing in flight")
        }
        if after.governor.inFlight != nil && ![.intervening, .refusing].contains(after.governor.state) {
            violated("action in flight while \(after.governor.state)")
        }
        if after.governor.postponed.count > F.spec.postponedSignalLimit { violated("postponed beyond the limit") }
        if decision.receipts.contains(where: { $0.fields["state_before"] == nil || $0.fields["state_after"] == nil }) {
            violated("receipt without states")
        }
    }

    @Test("no action unless serving, never two in flight, never outside the bindings; chains stay valid")
    func invariants() {
        for seed: UInt64 in [1, 2, 3] {
            let run = Self.run(seed: seed, steps: 6000)
            #expect(run.violations.isEmpty, "seed \(seed): \(run.violations.prefix(5))")
            #expect(run.actions > 50, "seed \(seed) exercised \(run.actions) actions")
            #expect(run.refusals > 50, "seed \(seed) exercised \(run.refusals) refusals")

            var verifier = ChainVerifier()
            for (index, receipt) in run.receipts.enumerated() { verifier.add(receipt.bytes, location: "\(index)") }
            let report = verifier.report()
            #expect(report.isValid, "\(report.summary)")
            #expect(report.tenantsChecked == Self.tenantIDs.count)
        }
    }

    @Test("every tenant's state survives its state record, through canonical JSON")
    func stateRecords() throws {
        let run = Self.run(seed: 7, steps: 3000)
        #expect(run.tenants.values.contains { $0.governor.inFlight != nil })
        #expect(run.tenants.values.contains { !$0.governor.postponed.isEmpty })
        for tenant in run.tenants.values {
            let bytes = CanonicalJSON.encode(tenant.stateRecord)
            let restored = try Tenant(stateRecord: JSONValue.parse(bytes), source: "autonomics.state")
            #expect(restored == tenant)
        }
    }

    @Test("a state record of the wrong shape names the member")
    func badStateRecord() throws {
        var record = try #require(Tenant(id: "acme").stateRecord.objectValue)
        var governor = try #require(record["governor"]?.objectValue)
        governor["state"] = "sleeping"
        record["governor"] = .object(governor)
        let error = #expect(throws: SpecError.self) {
            try Tenant(stateRecord: .object(record), source: "autonomics.state/0@9")
        }
        #expect(
            error?.description
                == "autonomics.state/0@9: governor.state: expected one of boot, stable, warning, intervening, degraded, refusing, found \"sleeping\""
        )
    }

    @Test("replaying the same inputs under the same spec writes byte-identical receipts")
    func replay() {
        let first = Self.run(seed: 42, steps: 3000)
        let second = Self.run(seed: 42, steps: 3000)
        #expect(first.receipts.count > 1000)
        #expect(first.receipts.map(\.bytes) == second.receipts.map(\.bytes))
        #expect(Self.run(seed: 43, steps: 3000).receipts.map(\.bytes) != first.receipts.map(\.bytes))
    }
}
