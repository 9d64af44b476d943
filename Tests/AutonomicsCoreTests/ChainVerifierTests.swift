import Testing

@testable import AutonomicsCore

@Suite("Chain verifier")
struct ChainVerifierTests {
    /// Four receipts each for three tenants, interleaved as on a partition.
    static let ledger: [[UInt8]] = {
        var ledger = ReceiptLedger(specHash: "spec")
        return (0..<12).map { index in
            let tenant = ["acme", "globex", "initech"][index % 3]
            return ledger.record(
                Receipts.event(tenant: tenant, id: "e-\(index)", offset: Int64(index)),
                now: Fixtures.now
            )!.bytes
        }
    }()

    /// Indices in ``ledger`` of acme's receipts seq 1…4.
    static let acme = [0, 3, 6, 9]

    private static func verify(_ receipts: [[UInt8]]) -> VerificationReport {
        var verifier = ChainVerifier()
        for (index, receipt) in receipts.enumerated() {
            verifier.add(receipt, location: "autonomics.receipts/0@\(index)")
        }
        return verifier.report()
    }

    private static func replacing(_ target: String, with replacement: String, in receipt: [UInt8]) -> [UInt8] {
        let text = String(decoding: receipt, as: UTF8.self)
        precondition(text.contains(target), "fixture no longer contains \(target)")
        return Array(text.replacingOccurrences(of: target, with: replacement).utf8)
    }

    @Test("an untouched ledger is valid")
    func valid() {
        let report = Self.verify(Self.ledger)
        #expect(report.isValid)
        #expect(report.tenantsChecked == 3)
        #expect(report.receiptsChecked == 12)
        #expect(report.summary == "12 receipts of 3 tenants checked: all chains intact")
    }

    static let tamperings: [(target: String, replacement: String)] = [
        (#""value":"87.5""#, #""value":"12.5""#),
        (#""event_type":"signal.cpu_utilization""#, #""event_type":"signal.error_rate""#),
        (#""time":"2026-11-20T12:00:00.000Z""#, #""time":"2026-11-20T12:00:00.001Z""#),
        (#""seq":2"#, #""seq":3"#),
        (#""spec_hash":"spec""#, #""spec_hash":"other""#),
        (#""offset":3"#, #""offset":4"#),
        (#""tenant_resolution":"signal.tenant_id""#, #""tenant_resolution":"signal.tenant_id","extra":true"#),
    ]

    @Test("a receipt changed with its hash left alone fails the hash check", arguments: tamperings)
    func tampered(target: String, replacement: String) throws {
        var receipts = Self.ledger
        receipts[3] = Self.replacing(target, with: replacement, in: receipts[3])
        let report = Self.verify(receipts)
        #expect(report.failures.count == 1)
        let failure = try #require(report.failures.first)
        #expect(failure.tenantID == "acme")
        #expect(failure.location == "autonomics.receipts/0@3")
        #expect(failure.seq == (target == #""seq":2"# ? 3 : 2))
        guard case .hashMismatch(let recorded, _) = failure.reason else {
            Issue.record("expected a hash mismatch, found \(failure.reason)")
            return
        }
        #expect(try Receipts.members(Self.ledger[3])["hash"] == .string(recorded))
    }

    @Test("a receipt re-hashed after a change breaks the next link")
    func rehashed() throws {
        var receipts = Self.ledger
        receipts[3] = try Receipts.forged(receipts[3]) { $0["event_type"] = "signal.error_rate" }
        let report = Self.verify(receipts)
        let failure = try #require(report.failures.first)
        #expect(report.failures.count == 1)
        #expect(failure.location == "autonomics.receipts/0@6")
        #expect(failure.seq == 3)
        guard case .brokenLink(let expected, let found) = failure.reason else {
            Issue.record("expected a broken link, found \(failure.reason)")
            return
        }
        #expect(try Receipts.members(receipts[3])["hash"] == .string(expected))
        #expect(try Receipts.members(Self.ledger[3])["hash"] == .string(found))
    }

    @Test("a forged first receipt must link to 64 zeros")
    func forgedGenesis() throws {
        var receipts = Self.ledger
        receipts[0] = try Receipts.forged(receipts[0]) { $0["prev_hash"] = .string(String(repeating: "1", count: 64)) }
        let failure = try #require(Self.verify(receipts).failures.first)
        #expect(failure.seq == 1)
        #expect(
            failure.reason
                == .brokenLink(expectedPrevHash: Receipts.zeroHash, foundPrevHash: String(repeating: "1", count: 64))
        )
    }

    static let reorderings: [(name: String, acmeOrder: [Int], failingIndex: Int, reason: ChainBreak)] = [
        ("missing seq 2", [0, 6, 9], 1, .gap(expectedSeq: 2, foundSeq: 3)),
        ("missing seq 1", [3, 6, 9], 0, .gap(expectedSeq: 1, foundSeq: 2)),
        ("seq 2 twice", [0, 3, 3, 6, 9], 2, .duplicateSeq(2)),
        ("seq 3 before 2", [0, 6, 3, 9], 1, .gap(expectedSeq: 2, foundSeq: 3)),
        ("seq 1 again at the end", [0, 3, 6, 9, 0], 4, .duplicateSeq(1)),
    ]

    @Test("gaps, duplicates and reorderings are found at the first broken receipt", arguments: reorderings)
    func reordered(name: String, acmeOrder: [Int], failingIndex: Int, reason: ChainBreak) throws {
        let receipts = acmeOrder.map { Self.ledger[$0] }
        let report = Self.verify(receipts)
        #expect(
            report.failures == [
                TenantFailure(
                    tenantID: "acme",
                    location: "autonomics.receipts/0@\(failingIndex)",
                    seq: try Receipts.members(receipts[failingIndex])["seq"]?.int64Value,
                    reason: reason
                )
            ]
        )
    }

    @Test("only a tenant's first break is reported; other tenants stay valid")
    func firstBreakOnly() {
        var receipts = Self.ledger
        receipts[3] = Self.replacing(#""value":"87.5""#, with: #""value":"1""#, in: receipts[3])
        receipts[9] = Self.replacing(#""value":"87.5""#, with: #""value":"2""#, in: receipts[9])
        receipts.remove(at: 6)
        let report = Self.verify(receipts)
        #expect(report.failures.map(\.location) == ["autonomics.receipts/0@3"])
        #expect(report.tenantsChecked == 3)
        #expect(report.receiptsChecked == 11)
    }

    @Test("unreadable receipts are reported, with their tenant when they name one")
    // Receipt 1 was globex's seq 1: unreadable, it cannot be attributed, so globex's chain shows a gap after it.
    func unreadable() throws {
        var receipts = Self.ledger
        receipts[1] = Array("garbage".utf8)
        receipts[3] = Self.replacing(#""hash":""#, with: #""hash_":""#, in: receipts[3])
        receipts[6] = Self.replacing(#""offset":6"#, with: #""offset":6.5"#, in: receipts[6])  // acme: already broken
        receipts[5] = Self.replacing(#""offset":5"#, with: #""offset":5.5"#, in: receipts[5])
        let report = Self.verify(receipts)
        #expect(
            report.failures == [
                TenantFailure(
                    tenantID: nil,
                    location: "autonomics.receipts/0@1",
                    seq: nil,
                    reason: .unreadable("receipt: invalid JSON at byte 0: expected a value, found 'g'")
                ),
                TenantFailure(
                    tenantID: "acme",
                    location: "autonomics.receipts/0@3",
                    seq: nil,
                    reason: .unreadable(#"receipt field "hash" is missing"#)
                ),
                TenantFailure(
                    tenantID: "globex",
                    location: "autonomics.receipts/0@4",
                    seq: 2,
                    reason: .gap(expectedSeq: 1, foundSeq: 2)
                ),
                TenantFailure(
                    tenantID: "initech",
                    location: "autonomics.receipts/0@5",
                    seq: 2,
                    reason: .unreadable(CanonicalJSONError(number: "5.5").description)
                ),
            ]
        )
        #expect(!report.isValid)
        #expect(
            report.summary == """
                12 receipts of 3 tenants checked: 4 broken
                unknown tenant at autonomics.receipts/0@1: unreadable: receipt: invalid JSON at byte 0: expected a value, found 'g'
                tenant "acme" at autonomics.receipts/0@3: unreadable: receipt field "hash" is missing
                tenant "globex" at autonomics.receipts/0@4 seq 2: gap: expected seq 1, found 2
                tenant "initech" at autonomics.receipts/0@5 seq 2: unreadable: \(CanonicalJSONError(number: "5.5"))
                """
        )
    }
}
