import Testing

@testable import AutonomicsCore

/// The hand-ordered writers (``NormalizedEvent/encoded()``, receipts) and the word-at-a-time string scanning must
/// agree with ``CanonicalJSON/encode(_:)`` and a plain reference, whatever the text.
@Suite("Canonical writer")
struct CanonicalWriterTests {
    /// A fixed-seed generator, so that a failure repeats.
    struct Random {
        private var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }

        /// Text mixing plain ASCII with everything JSON and JCS treat specially, up to `maximumLength` scalars.
        mutating func text(maximumLength: Int = 40) -> String {
            let scalars: [Unicode.Scalar] = [
                "a", "Z", "0", " ", "/", "\"", "\\", "\u{00}", "\u{08}", "\u{09}", "\u{0A}", "\u{0C}", "\u{0D}",
                "\u{1F}", "\u{7F}", "é", "€", "\u{2028}", "\u{E000}", "\u{FFFF}", "😀",
            ]
            var text = ""
            for _ in 0..<next(maximumLength + 1) {
                // Mostly plain letters, so that runs cross eight-byte words.
                text.unicodeScalars.append(next(3) == 0 ? scalars[next(scalars.count)] : "x")
            }
            return text
        }
    }

    /// RFC 8785 §3.2.2.2, one scalar at a time.
    static func referenceEncoding(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{0A}": result += "\\n"
            case "\u{0D}": result += "\\r"
            case "\u{09}": result += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u00" + (hex.count == 1 ? "0" : "") + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    @Test("escapes strings as the reference does, and parses them back, at every length and alignment")
    func strings() throws {
        var random = Random(seed: 1)
        for _ in 0..<5000 {
            let text = random.text()
            let encoded = CanonicalJSON.encode(.string(text))
            #expect(String(decoding: encoded, as: UTF8.self) == Self.referenceEncoding(text))
            #expect(try JSONValue.parse(encoded) == .string(text))
        }
    }

    static func randomEvent(_ random: inout Random) -> NormalizedEvent {
        var data: [String: JSONValue] = [:]
        for _ in 0..<random.next(12) {
            data[random.text(maximumLength: 12)] =
                switch random.next(3) {
                case 0: .string(random.text())
                case 1: .bool(random.next(2) == 0)
                default: .integer(Int64(random.next(2_000_000)) - 1_000_000)
                }
        }
        // Required strings are not empty.
        return NormalizedEvent(
            tenantID: "tenant-\(random.next(100))",
            tenantResolution: random.text() + "r",
            eventID: random.text() + "\(random.next(1_000_000))",
            eventType: random.text() + "t",
            format: EventFormat.allCases[random.next(3)],
            pubsubMessageID: random.next(2) == 0 ? nil : random.text(),
            eventTime: Int64(random.next(Int(Int32.max))) * 1000,
            data: data,
            origin: EventOrigin(
                topic: random.text() + "o",
                partition: Int32(random.next(64)),
                offset: Int64(random.next(1 << 30)),
                timestamp: random.next(2) == 0 ? nil : Int64(random.next(1 << 30))
            )
        )
    }

    @Test("a normalized event's encoding is the canonical JSON of its value and decodes back")
    func events() throws {
        var random = Random(seed: 2)
        for _ in 0..<1000 {
            let event = Self.randomEvent(&random)
            let encoded = event.encoded()
            #expect(CanonicalJSON.encode(try JSONValue.parse(encoded)) == encoded)
            #expect(try NormalizedEvent(decoding: encoded) == event)
        }
    }

    /// The receipt is canonical JSON and `hash` covers the rest of it.
    static func expectSelfHashing(_ receipt: Receipt) throws {
        var members = try Receipts.members(receipt.bytes)
        #expect(CanonicalJSON.encode(.object(members)) == receipt.bytes)
        #expect(members["hash"] == .string(receipt.hash))
        members["hash"] = nil
        #expect(SHA256Hash(of: CanonicalJSON.encode(.object(members))).hex == receipt.hash)
    }

    @Test("receipts of every shape are canonical JSON that hash themselves")
    func receipts() throws {
        var random = Random(seed: 3)
        var ledgers = [ReceiptLedger(), ReceiptLedger(specHash: "spec \"1\"\n")]
        for index in 0..<1000 {
            let ledger = index % 2
            let event = Self.randomEvent(&random)
            let receipt = ledgers[ledger].record(event, now: Int64(index) * 1001)
            try Self.expectSelfHashing(try #require(receipt))
            var fields: [String: JSONValue] = [:]
            // Keys that sort before, between and after the chain's own, or none at all (then `hash` comes first).
            let keys = ["a", "hash_", "l", "sequel", "u", "\u{E000}", "😀", random.text(maximumLength: 6)]
            for _ in 0..<random.next(4) {
                fields[keys[random.next(keys.count)]] = .string(random.text())
            }
            fields = fields.filter { !Receipt.reservedKeys.contains($0.key) }
            try Self.expectSelfHashing(
                ledgers[ledger].append(kind: random.text(), tenantID: event.tenantID, fields: fields, now: 0)
            )
        }
    }
}
