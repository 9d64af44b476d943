import Testing

@testable import AutonomicsCore

/// Events and receipt helpers shared by the ledger and verifier tests.
enum Receipts {
    static let zeroHash = String(repeating: "0", count: 64)

    static func event(
        tenant: String = "acme",
        id: String,
        messageID: String? = nil,
        offset: Int64 = 0
    ) -> NormalizedEvent {
        NormalizedEvent(
            tenantID: tenant,
            tenantResolution: "signal.tenant_id",
            eventID: id,
            eventType: "signal.cpu_utilization",
            format: .signal,
            pubsubMessageID: messageID,
            eventTime: 1_795_169_730_250,
            data: ["metric": "cpu_utilization", "value": "87.5"],
            origin: EventOrigin(topic: "autonomics.tenant-events", partition: 1, offset: offset)
        )
    }

    /// Records an event that must not be a duplicate.
    static func record(
        _ event: NormalizedEvent,
        in ledger: inout ReceiptLedger,
        now: Int64 = Fixtures.now
    ) throws -> Receipt {
        let receipt = ledger.record(event, now: now)
        return try #require(receipt)
    }

    static func members(_ receipt: [UInt8]) throws -> [String: JSONValue] {
        try #require(try JSONValue.parse(receipt).objectValue)
    }

    /// Changes members and recomputes the hash (of all but `hash` and `signature`), as a forger who knows the
    /// scheme but not the signing key would.
    static func forged(_ receipt: [UInt8], _ change: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        var content = try members(receipt)
        change(&content)
        var hashed = content
        hashed["hash"] = nil
        hashed["signature"] = nil
        content["hash"] = .string(SHA256Hash(of: CanonicalJSON.encode(.object(hashed))).hex)
        return CanonicalJSON.encode(.object(content))
    }
}

@Suite("Receipt ledger")
struct ReceiptLedgerTests {
    @Test("SHA-256 known answer (FIPS 180-2 \"abc\")")
    func sha256() {
        #expect(
            SHA256Hash(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        #expect(
            SHA256Hash(hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                == SHA256Hash(of: Array("abc".utf8))
        )
        #expect(SHA256Hash(hex: "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD") == nil)
        #expect(SHA256Hash(hex: "ba7816bf") == nil)
        #expect(SHA256Hash.zero.hex == Receipts.zeroHash)
    }

    @Test("the first receipt of a tenant has seq 1, a zero prev_hash and every event member")
    func firstReceipt() throws {
        var ledger = ReceiptLedger()
        let receipt = try Receipts.record(Receipts.event(id: "e-1", messageID: "m-1", offset: 41), in: &ledger)
        let expected: [String: JSONValue] = [
            "kind": "event",
            "tenant_id": "acme",
            "seq": 1,
            "prev_hash": .string(Receipts.zeroHash),
            "hash": .string(receipt.hash),
            "event_id": "e-1",
            "event_type": "signal.cpu_utilization",
            "format": "signal",
            "tenant_resolution": "signal.tenant_id",
            "source": ["topic": "autonomics.tenant-events", "partition": 1, "offset": 41],
            "time": "2026-11-20T12:00:00.000Z",
            "event_time": "2026-11-20T10:15:30.250Z",
            "pubsub_message_id": "m-1",
            "data": ["metric": "cpu_utilization", "value": "87.5"],
        ]
        var content = try Receipts.members(receipt.bytes)
        #expect(content == expected)
        #expect((receipt.tenantID, receipt.seq) == ("acme", 1))
        #expect(CanonicalJSON.encode(.object(content)) == receipt.bytes)
        content["hash"] = nil
        #expect(SHA256Hash(of: CanonicalJSON.encode(.object(content))).hex == receipt.hash)
    }

    @Test("each receipt links to its tenant's previous one; tenants chain independently")
    func links() throws {
        var ledger = ReceiptLedger()
        let first = try Receipts.record(Receipts.event(id: "e-1"), in: &ledger)
        let other = try Receipts.record(Receipts.event(tenant: "globex", id: "e-1"), in: &ledger)
        let second = try Receipts.record(Receipts.event(id: "e-2"), in: &ledger)
        #expect(second.seq == 2)
        #expect(try Receipts.members(second.bytes)["prev_hash"] == .string(first.hash))
        #expect(other.seq == 1)
        #expect(try Receipts.members(other.bytes)["prev_hash"] == .string(Receipts.zeroHash))
        #expect(ledger.head(of: "acme")?.seq == 2)
        #expect(ledger.head(of: "acme")?.hash == second.hash)
        #expect(ledger.tenantCount == 2)
    }

    @Test("spec_hash is stamped only when a spec is loaded")
    func specHash() throws {
        var withSpec = ReceiptLedger(specHash: "abc123")
        var withoutSpec = ReceiptLedger()
        let stamped = try Receipts.record(Receipts.event(id: "e-1"), in: &withSpec)
        let plain = try Receipts.record(Receipts.event(id: "e-1"), in: &withoutSpec)
        #expect(try Receipts.members(stamped.bytes)["spec_hash"] == "abc123")
        #expect(try Receipts.members(plain.bytes)["spec_hash"] == nil)
        #expect(stamped.hash != plain.hash)
    }

    static let duplicates: [(first: NormalizedEvent, second: NormalizedEvent, isDuplicate: Bool)] = [
        (Receipts.event(id: "e-1"), Receipts.event(id: "e-1"), true),
        (Receipts.event(id: "e-1", messageID: "m-1"), Receipts.event(id: "e-1", messageID: "m-2"), true),
        (Receipts.event(id: "e-1", messageID: "m-1"), Receipts.event(id: "e-2", messageID: "m-1"), true),
        (Receipts.event(id: "e-1"), Receipts.event(id: "e-2"), false),
        (Receipts.event(id: "e-1", messageID: "m-1"), Receipts.event(id: "e-2", messageID: "m-2"), false),
        (Receipts.event(id: "x", messageID: "y"), Receipts.event(id: "y", messageID: "x"), false),
        (Receipts.event(id: "e-1"), Receipts.event(tenant: "globex", id: "e-1"), false),
    ]

    @Test("a repeated event id or Pub/Sub message id within the tenant's window is a duplicate", arguments: duplicates)
    func dedup(first: NormalizedEvent, second: NormalizedEvent, isDuplicate: Bool) throws {
        var ledger = ReceiptLedger()
        #expect(ledger.record(first, now: Fixtures.now) != nil)
        let receipt = ledger.record(second, now: Fixtures.now)
        #expect((receipt == nil) == isDuplicate)
        #expect(ledger.head(of: first.tenantID)?.seq == (isDuplicate || first.tenantID != second.tenantID ? 1 : 2))
    }

    @Test("the window keeps the last dedupWindow ids")
    func windowBound() {
        var ledger = ReceiptLedger(dedupWindow: 3)
        for id in ["a", "b", "c"] { _ = ledger.record(Receipts.event(id: id), now: Fixtures.now) }
        #expect(ledger.record(Receipts.event(id: "a"), now: Fixtures.now) == nil)
        _ = ledger.record(Receipts.event(id: "d"), now: Fixtures.now)  // forgets "a"
        #expect(ledger.record(Receipts.event(id: "b"), now: Fixtures.now) == nil)
        #expect(ledger.record(Receipts.event(id: "a"), now: Fixtures.now)?.seq == 5)

        // An enveloped event takes two slots: its event id and its message id.
        var small = ReceiptLedger(dedupWindow: 2)
        _ = small.record(Receipts.event(id: "a", messageID: "m-a"), now: Fixtures.now)
        _ = small.record(Receipts.event(id: "b"), now: Fixtures.now)
        #expect(small.record(Receipts.event(id: "x", messageID: "m-a"), now: Fixtures.now) == nil)
        #expect(small.record(Receipts.event(id: "a"), now: Fixtures.now) != nil)

        var none = ReceiptLedger(dedupWindow: 0)
        _ = none.record(Receipts.event(id: "a"), now: Fixtures.now)
        #expect(none.record(Receipts.event(id: "a"), now: Fixtures.now) != nil)
    }

    @Test("receipts of other kinds continue the same chain and do not enter the dedup window")
    func otherKinds() throws {
        var ledger = ReceiptLedger()
        let event = try Receipts.record(Receipts.event(id: "e-1"), in: &ledger)
        let transition = ledger.append(
            kind: "transition",
            tenantID: "acme",
            fields: ["from": "stable", "to": "warning", "event_id": "e-2"],
            now: Fixtures.now + 1
        )
        #expect(transition.seq == 2)
        let members = try Receipts.members(transition.bytes)
        #expect(members["kind"] == "transition")
        #expect(members["prev_hash"] == .string(event.hash))
        #expect(members["time"] == "2026-11-20T12:00:00.001Z")
        #expect(ledger.record(Receipts.event(id: "e-2"), now: Fixtures.now)?.seq == 3)
    }

    @Test("reserved chain members in append's fields are a programmer error")
    func reservedFields() async {
        await #expect(processExitsWith: .failure) {
            var ledger = ReceiptLedger()
            _ = ledger.append(kind: "transition", tenantID: "acme", fields: ["seq": 9], now: 0)
        }
    }

    @Test("restoring from the ledger and continuing writes the same receipts as never stopping")
    func restoreThenContinue() throws {
        let events = (1...8).map {
            Receipts.event(
                tenant: $0 % 2 == 0 ? "acme" : "globex",
                id: "e-\($0)",
                messageID: "m-\($0)",
                offset: Int64($0)
            )
        }
        var original = ReceiptLedger(specHash: "spec")
        let receipts = events.map { original.record($0, now: Fixtures.now)! }

        var restored = ReceiptLedger(specHash: "spec")
        for receipt in receipts.prefix(5) { try restored.restore(from: receipt.bytes) }
        #expect(restored.tenantCount == 2)
        let continued = events.suffix(3).map { restored.record($0, now: Fixtures.now) }
        #expect(continued == Array(receipts.suffix(3)))

        // The dedup window came back too.
        #expect(restored.record(events[0], now: Fixtures.now) == nil)
        #expect(restored.record(Receipts.event(tenant: "acme", id: "new", messageID: "m-4"), now: Fixtures.now) == nil)

        var verifier = ChainVerifier()
        for (index, receipt) in (receipts.prefix(5) + continued.compactMap { $0 }).enumerated() {
            verifier.add(receipt.bytes, location: "autonomics.receipts/0@\(index)")
        }
        #expect(verifier.report().isValid)
    }

    @Test("restore skips receipts at or below the tenant's seq, so restoring twice is harmless")
    func restoreIsIdempotent() throws {
        var original = ReceiptLedger()
        let receipts = (1...3).map { original.record(Receipts.event(id: "e-\($0)"), now: Fixtures.now)! }
        var restored = ReceiptLedger()
        for receipt in receipts + receipts.prefix(2) { try restored.restore(from: receipt.bytes) }
        #expect(restored.head(of: "acme")?.seq == 3)
        #expect(restored.head(of: "acme")?.hash == receipts[2].hash)
    }

    @Test("restore of a non-event receipt advances the chain without touching the dedup window")
    func restoreOtherKind() throws {
        var original = ReceiptLedger()
        let transition = original.append(kind: "transition", tenantID: "acme", fields: ["event_id": "e-1"], now: 0)
        var restored = ReceiptLedger()
        try restored.restore(from: transition.bytes)
        #expect(restored.head(of: "acme")?.seq == 1)
        #expect(restored.record(Receipts.event(id: "e-1"), now: 0)?.seq == 2)
    }

    static let unrestorable: [(bytes: String, error: ReceiptError)] = [
        ("oops", ReceiptError(message: "receipt: invalid JSON at byte 0: expected a value, found 'o'")),
        ("[1]", ReceiptError(message: "receipt is an array; expected an object")),
        (
            #"{"tenant_id":"acme","kind":"event","seq":0,"prev_hash":"","hash":""}"#,
            ReceiptError(tenantID: "acme", message: #"receipt field "seq": expected a number from 1, found 0"#)
        ),
        (
            #"{"tenant_id":"acme","kind":"event","seq":1,"prev_hash":"00","hash":""}"#,
            ReceiptError(
                tenantID: "acme",
                message: #"receipt field "prev_hash": expected 64 lowercase hex digits, found "00""#
            )
        ),
        (
            #"{"kind":"event","seq":1}"#,
            ReceiptError(message: #"receipt field "tenant_id" is missing"#)
        ),
    ]

    @Test("restore rejects bytes that are not a receipt", arguments: unrestorable)
    func restoreRejects(bytes: String, error: ReceiptError) {
        var ledger = ReceiptLedger()
        #expect(throws: error) { try ledger.restore(from: Array(bytes.utf8)) }
        #expect(ledger.tenantCount == 0)
    }

    @Test("removes tenants, e.g. of revoked partitions")
    func removeTenants() {
        var ledger = ReceiptLedger()
        for tenant in ["a1", "a2", "b1"] { _ = ledger.record(Receipts.event(tenant: tenant, id: "e"), now: 0) }
        ledger.removeTenants { $0.hasPrefix("a") }
        #expect(ledger.tenantCount == 1)
        #expect(ledger.head(of: "a1") == nil)
        #expect(ledger.head(of: "b1")?.seq == 1)
        #expect(ledger.record(Receipts.event(tenant: "a1", id: "e"), now: 0)?.seq == 1)
    }

    @Test("a tenant event written with whitespace, other key order or escapes gets the same canonical receipt")
    func nonCanonicalTenantEvent() throws {
        let event = Receipts.event(id: "e-1", messageID: "m-1")
        var canonical = ReceiptLedger()
        let expected = try Receipts.record(event, in: &canonical)

        let rewritten = """
            { "tenant_resolution": "signal.tenant_id", "tenant_id": "acme", "pubsub_message_id": "m\\u002d1",
              "origin": {"topic": "autonomics.tenant-events", "partition": 1, "offset": 0},
              "format": "signal", "event_type": "signal.cpu_utilization", "event_time": 1795169730250,
              "event_id": "e-1", "data": {"value": "87.5", "metric": "cpu_utilization"} }
            """
        var ledger = ReceiptLedger()
        let receipt = try #require(try ledger.record(tenantEvent: Array(rewritten.utf8), now: Fixtures.now))
        #expect(receipt.bytes == expected.bytes)
        #expect(receipt.hash == expected.hash)
    }

    @Test("bytes that are not a tenant event are rejected as invalid_tenant_event, and chain nothing")
    func invalidTenantEvent() {
        var ledger = ReceiptLedger()
        for bytes in ["", "[]", #"{"tenant_id":"acme"}"#, String(decoding: Receipts.event(id: "e").encoded().dropLast(), as: UTF8.self)] {
            let error = #expect(throws: Rejection.self) { try ledger.record(tenantEvent: Array(bytes.utf8), now: 0) }
            #expect(error?.code == .invalidTenantEvent)
        }
        #expect(ledger.tenantCount == 0)
    }
}
