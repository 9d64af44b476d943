import Testing

@testable import AutonomicsCore

@Suite("Tenant steps: decided apart, applied only when delivered")
struct TenantStepTests {
    @Test("a step changes nothing until it is committed")
    func stepLeavesLedgerAlone() throws {
        var ledger = ReceiptLedger()
        let first = try #require(try ledger.step(tenantEvent: Receipts.event(id: "e-1").encoded(), now: Fixtures.now))
        #expect(first.receipt.seq == 1)
        #expect(ledger.head(of: "acme") == nil)
        #expect(ledger.tenantCount == 0)

        // Deciding again gives the same receipt: the event is no duplicate until its step is committed.
        let again = try #require(try ledger.step(tenantEvent: Receipts.event(id: "e-1").encoded(), now: Fixtures.now))
        #expect(again.receipt == first.receipt)

        let applied = ledger.commit(first)
        #expect(applied)
        #expect(ledger.head(of: "acme")?.seq == 1)
        #expect(ledger.head(of: "acme")?.hash == first.receipt.hash)
        #expect(try ledger.step(tenantEvent: Receipts.event(id: "e-1").encoded(), now: Fixtures.now) == nil, "now a duplicate")
    }

    @Test("a step that failed to deliver is dropped: the next receipt links to the last delivered one")
    func failedStepLeavesNoGap() throws {
        var ledger = ReceiptLedger()
        let delivered = try Receipts.record(Receipts.event(id: "e-1"), in: &ledger)
        let lost = try #require(try ledger.step(tenantEvent: Receipts.event(id: "e-2").encoded(), now: Fixtures.now))
        // Its delivery failed: never committed. The next event takes its place in the chain.
        let next = try Receipts.record(Receipts.event(id: "e-3"), in: &ledger)
        #expect(next.seq == 2)
        #expect(try Receipts.members(next.bytes)["prev_hash"]?.stringValue == delivered.hash)
        #expect(lost.receipt.seq == 2)
        // The lost event, replayed later, is no duplicate and continues the chain.
        let replayed = try Receipts.record(Receipts.event(id: "e-2"), in: &ledger)
        #expect(replayed.seq == 3)

        var verifier = ChainVerifier()
        for (index, receipt) in [delivered, next, replayed].enumerated() {
            verifier.add(receipt.bytes, location: "\(index)")
        }
        #expect(verifier.report().isValid)
    }

    @Test("a step decided before another was committed is refused and changes nothing")
    func staleStepRefused() throws {
        var ledger = ReceiptLedger()
        let first = try #require(try ledger.step(tenantEvent: Receipts.event(id: "e-1").encoded(), now: Fixtures.now))
        let rival = try #require(try ledger.step(tenantEvent: Receipts.event(id: "e-2").encoded(), now: Fixtures.now))
        let (applied, rivalApplied, appliedTwice) = (ledger.commit(first), ledger.commit(rival), ledger.commit(first))
        #expect(applied)
        #expect(!rivalApplied, "it links to the zero hash, not to e-1's receipt")
        #expect(!appliedTwice, "committing twice is refused")
        #expect(ledger.head(of: "acme")?.hash == first.receipt.hash)
        #expect(try ledger.step(tenantEvent: Receipts.event(id: "e-2").encoded(), now: Fixtures.now) != nil)
    }

    @Test("appended receipts follow the same rule")
    func appendedSteps() throws {
        var ledger = ReceiptLedger()
        let step = ledger.step(appending: "transition", tenantID: "acme", fields: ["to": "stable"], now: 0)
        #expect(ledger.head(of: "acme") == nil)
        let applied = ledger.commit(step)
        #expect(applied)
        #expect(ledger.append(kind: "transition", tenantID: "acme", fields: ["to": "warning"], now: 0).seq == 2)
    }
}
