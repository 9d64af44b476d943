import Testing

@testable import AutonomicsCore

@Suite("JSON parser")
struct JSONParserTests {
    static let validDocuments: [(input: String, expected: JSONValue)] = [
        ("{}", [:]),
        ("[]", []),
        ("0", .number("0")),
        (
            " \t\r\n[1, -0, 0.835, 1e2, -1.5E-3, 1E+2, 10]\n",
            [
                .number("1"), .number("-0"), .number("0.835"), .number("1e2"), .number("-1.5E-3"), .number("1E+2"),
                .number("10"),
            ]
        ),
        ("[true,false,null]", [true, false, nil]),
        (#"{"a":{"b":[{}, []]},"c":"d"}"#, ["a": ["b": [[:], []]], "c": "d"]),
        (#""a\u00e9\ud83d\ude00\n\/\"\\\b\f\r\t""#, "aé😀\n/\"\\\u{08}\u{0C}\r\t"),
        (#""\u0000""#, "\u{00}"),
        (#""é😀 raw""#, "é😀 raw"),
        (#"{"key with \"quote\"":1}"#, ["key with \"quote\"": 1]),
    ]

    @Test("parses valid documents, keeping number lexemes", arguments: validDocuments)
    func parsesValid(input: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(input.utf8)) == expected)
    }

    @Test("parses a collection without contiguous storage")
    func parsesNonContiguous() throws {
        let bytes = Array(#"[1,"x"]"#.utf8).lazy.map { $0 }
        #expect(try JSONValue.parse(bytes) == [1, "x"])
    }

    static let invalidDocuments: [(input: String, reason: JSONParseError.Reason, offset: Int)] = [
        ("", .unexpectedEnd(expected: "a value"), 0),
        ("   ", .unexpectedEnd(expected: "a value"), 3),
        (#"{"a":1,}"#, .unexpectedByte(UInt8(ascii: "}"), expected: "a string key"), 7),
        ("{1:2}", .unexpectedByte(UInt8(ascii: "1"), expected: "a string key"), 1),
        (#"{"a" 1}"#, .unexpectedByte(UInt8(ascii: "1"), expected: "':' after an object key"), 5),
        (#"{"a":1"#, .unexpectedEnd(expected: "',' or '}' after an object member"), 6),
        ("[1,]", .unexpectedByte(UInt8(ascii: "]"), expected: "a value"), 3),
        ("[1 2]", .unexpectedByte(UInt8(ascii: "2"), expected: "',' or ']' after an array element"), 3),
        ("01", .invalidNumber("leading zero"), 0),
        ("-01", .invalidNumber("leading zero"), 0),
        ("1.", .invalidNumber("expected a digit after '.'"), 2),
        ("-", .invalidNumber("expected a digit"), 1),
        ("1e", .invalidNumber("expected a digit in the exponent"), 2),
        ("1e+", .invalidNumber("expected a digit in the exponent"), 3),
        (".5", .unexpectedByte(UInt8(ascii: "."), expected: "a value"), 0),
        ("+1", .unexpectedByte(UInt8(ascii: "+"), expected: "a value"), 0),
        ("NaN", .unexpectedByte(UInt8(ascii: "N"), expected: "a value"), 0),
        ("tru", .unexpectedEnd(expected: "'true'"), 3),
        ("nul!", .unexpectedByte(UInt8(ascii: "!"), expected: "'null'"), 3),
        (#"{"a":1,"a":2}"#, .duplicateKey("a"), 7),
        ("\"a\u{01}\"", .unescapedControlCharacter(0x01), 2),
        ("\"tab\there\"", .unescapedControlCharacter(0x09), 4),
        (#""\x""#, .invalidEscape, 1),
        (#""\u12""#, .invalidEscape, 1),
        (#""\u12G4""#, .invalidEscape, 1),
        (#""\ud800""#, .loneSurrogate, 1),
        (#""\udc00""#, .loneSurrogate, 1),
        (#""\ud800\u0041""#, .loneSurrogate, 1),
        (#""\ud83d\ud83d""#, .loneSurrogate, 1),
        (#""abc"#, .unexpectedEnd(expected: "'\"' to close the string"), 4),
        ("{} x", .trailingData, 3),
        ("[1] [2]", .trailingData, 4),
        ("\"a\"\"b\"", .trailingData, 3),
    ]

    @Test("rejects invalid documents with the reason and byte offset", arguments: invalidDocuments)
    func rejectsInvalid(input: String, reason: JSONParseError.Reason, offset: Int) {
        #expect(throws: JSONParseError(reason, at: offset)) { try JSONValue.parse(Array(input.utf8)) }
    }

    static let invalidUTF8: [(bytes: [UInt8], offset: Int)] = [
        ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong "/"
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 1),  // overlong 3-byte
        ([0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], 1),  // overlong 4-byte
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // UTF-8-encoded surrogate U+D800
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // above U+10FFFF
        ([0x22, 0x80, 0x22], 1),  // stray continuation byte
        ([0x22, 0xC3, 0x22], 1),  // truncated 2-byte
        ([0x22, 0x61, 0xE2, 0x82, 0x22], 2),  // truncated 3-byte
        ([0x22, 0xF0, 0x9F, 0x98], 1),  // truncated at the end of the input
        ([0x22, 0xFF, 0x22], 1),
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1),
    ]

    @Test("rejects invalid UTF-8 in strings", arguments: invalidUTF8)
    func rejectsInvalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(throws: JSONParseError(.invalidUTF8, at: offset)) { try JSONValue.parse(bytes) }
    }

    static let utf8Boundaries: [(bytes: [UInt8], scalar: Unicode.Scalar)] = [
        ([0x22, 0xC2, 0x80, 0x22], "\u{80}"),
        ([0x22, 0xED, 0x9F, 0xBF, 0x22], "\u{D7FF}"),
        ([0x22, 0xEE, 0x80, 0x80, 0x22], "\u{E000}"),
        ([0x22, 0xEF, 0xBF, 0xBD, 0x22], "\u{FFFD}"),
        ([0x22, 0xF0, 0x90, 0x80, 0x80, 0x22], "\u{10000}"),
        ([0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22], "\u{10FFFF}"),
    ]

    @Test("accepts UTF-8 at the edges of each range", arguments: utf8Boundaries)
    func acceptsUTF8Boundaries(bytes: [UInt8], scalar: Unicode.Scalar) throws {
        #expect(try JSONValue.parse(bytes) == .string(String(Character(scalar))))
    }

    @Test("rejects a byte order mark: RFC 8259 text starts with the value")
    func rejectsByteOrderMark() {
        #expect(throws: JSONParseError(.unexpectedByte(0xEF, expected: "a value"), at: 0)) {
            try JSONValue.parse([0xEF, 0xBB, 0xBF, UInt8(ascii: "{"), UInt8(ascii: "}")])
        }
    }

    @Test("nests arrays and objects 64 deep, not 65")
    func limitsDepth() throws {
        let limit = JSONParser.maximumDepth
        #expect(limit == 64)
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONValue.parse(Array(deepest.utf8)) }

        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError(.nestingTooDeep(limit: limit), at: limit)) {
            try JSONValue.parse(Array(tooDeep.utf8))
        }

        let objects = String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(throws: JSONParseError(.nestingTooDeep(limit: limit), at: 5 * limit)) {
            try JSONValue.parse(Array(objects.utf8))
        }
    }

    @Test("treats keys equal as Swift strings (canonically equivalent) as duplicates")
    func canonicallyEquivalentKeys() {
        let input = "{\"\u{E9}\":1,\"e\u{301}\":2}"
        #expect(throws: JSONParseError(.duplicateKey("e\u{301}"), at: 8)) { try JSONValue.parse(Array(input.utf8)) }
    }

    @Test("treats keys equal after unescaping, or as Swift strings, as duplicates")
    func equalKeys() throws {
        #expect(throws: JSONParseError(.duplicateKey("a"), at: 7)) {
            try JSONValue.parse(Array(#"{"a":1,"\u0061":2}"#.utf8))
        }
        #expect(throws: JSONParseError(.duplicateKey("\u{212A}"), at: 7)) {
            try JSONValue.parse(Array("{\"K\":1,\"\u{212A}\":2}".utf8))
        }
        #expect(try JSONValue.parse(Array(#"{"ab":1,"ba":2,"aab":3,"a":4,"b":5}"#.utf8)).objectValue?.count == 5)
    }

    @Test("finds duplicates in large objects too", arguments: [10, 64, 65, 200])
    func duplicatesInLargeObjects(memberCount: Int) throws {
        let members = (0..<memberCount).map { #""key\#($0)":\#($0)"# }
        let distinct = "{" + members.joined(separator: ",") + "}"
        #expect(try JSONValue.parse(Array(distinct.utf8)).objectValue?.count == memberCount)
        let repeated = "{" + members.joined(separator: ",") + #","key3":0}"#
        #expect(throws: JSONParseError(.duplicateKey("key3"), at: distinct.utf8.count)) {
            try JSONValue.parse(Array(repeated.utf8))
        }
    }

    // Fuzzing found long non-ASCII keys slow to check. These took 15 s pairwise: each comparison normalized both.
    @Test("checks many long non-ASCII keys for duplicates in one pass", .timeLimit(.minutes(1)))
    func longNonASCIIKeys() throws {
        // Key i spells its first i "é" precomposed and the rest decomposed: the keys differ in their bytes from
        // the start, but as strings only at their ends.
        let keys = (0..<64).map {
            String(repeating: "\u{E9}", count: $0) + String(repeating: "e\u{301}", count: 5000 - $0) + "#\($0)"
        }
        let members = keys.map { #""\#($0)":0"# }
        let distinct = "{" + members.joined(separator: ",") + "}"
        #expect(distinct.utf8.count > 900_000)
        let document = try JSONDocument(parsing: Array(distinct.utf8))
        #expect(document.members(of: JSONDocument.root).map { document.string(at: $0.key) } == keys)
        let equivalent = String(repeating: "\u{E9}", count: 5000) + "#0"
        let repeated = "{" + members.joined(separator: ",") + #","\#(equivalent)":1}"#
        #expect(throws: JSONParseError(.duplicateKey(equivalent), at: distinct.utf8.count)) {
            try JSONDocument(parsing: Array(repeated.utf8))
        }
    }

    static let combiningMarkRuns: [(input: String, offset: Int?)] = [
        ("\"a" + String(repeating: "\u{301}", count: 30) + "\"", nil),
        ("\"a" + String(repeating: "\u{301}", count: 31) + "\"", 2 + 30 * 2),
        ("\"a" + String(repeating: #"\u0301"#, count: 31) + "\"", 2 + 30 * 6),
        ("{\"a" + String(repeating: "\u{316}\u{301}", count: 16) + "\":1}", 3 + 30 * 2),
        // ASCII, escaped or not, and other starters such as U+00E9 end a run.
        ("\"" + String(repeating: "a" + String(repeating: "\u{301}", count: 30), count: 3) + "\"", nil),
        ("\"" + String(repeating: #"\n"# + String(repeating: "\u{301}", count: 30), count: 3) + "\"", nil),
        ("\"" + String(repeating: "\u{E9}" + String(repeating: "\u{301}", count: 30), count: 3) + "\"", nil),
    ]

    // Swift took 18 s to hash, or compare with "metric", a 256 kB string of alternating marks (U+0301 U+0316).
    @Test("takes at most 30 combining marks in a row (stream-safe text)", arguments: combiningMarkRuns)
    func limitsCombiningMarkRuns(input: String, offset: Int?) {
        if let offset {
            #expect(throws: JSONParseError(.tooManyCombiningMarks(limit: 30), at: offset)) {
                try JSONValue.parse(Array(input.utf8))
            }
        } else {
            #expect(throws: Never.self) { try JSONValue.parse(Array(input.utf8)) }
        }
    }

    @Test("looks members up as Swift strings compare, null included, in any position")
    func documentMembers() throws {
        let document = try JSONDocument(parsing: Array(#"{"a":[1,{"b":2}],"t\u0069d":null,"K":"k","last":{}}"#.utf8))
        let root = JSONDocument.root
        #expect(document.member("a", of: root).map(document.kind(of:)) == .array)
        #expect(document.member("tid", of: root).map(document.kind(of:)) == .null)
        #expect(document.member("\u{212A}", of: root).map(document.string(at:)) == "k")
        #expect(document.member("last", of: root).map(document.kind(of:)) == .object)
        #expect(document.member("b", of: root) == nil)
        #expect(document.members(of: root).map { document.string(at: $0.key) } == ["a", "tid", "K", "last"])
    }

    @Test("describes errors with the byte offset")
    func describesErrors() {
        #expect(
            JSONParseError(.duplicateKey("a"), at: 7).description
                == #"invalid JSON at byte 7: duplicate object key "a""#
        )
        #expect(
            JSONParseError(.unexpectedByte(UInt8(ascii: "}"), expected: "a string key"), at: 7).description
                == "invalid JSON at byte 7: expected a string key, found '}'"
        )
        #expect(
            JSONParseError(.unexpectedByte(0x0A, expected: "a value"), at: 0).description
                == "invalid JSON at byte 0: expected a value, found byte 0x0a"
        )
        #expect(
            JSONParseError(.unexpectedEnd(expected: "a value"), at: 0).description
                == "invalid JSON at byte 0: expected a value, found the end of the input"
        )
    }

    @Test("accessors read the matching case only")
    func accessors() throws {
        let value = try JSONValue.parse(Array(#"{"s":"x","n":12,"f":1.5,"b":true,"a":[1],"z":null}"#.utf8))
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.int64Value == 12)
        #expect(value["f"]?.int64Value == nil)
        #expect(value["f"]?.numberText == "1.5")
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["z"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["s"]?["x"] == nil)
        #expect(value.objectValue?.count == 6)
        #expect(value["n"]?.stringValue == nil)
    }

    @Test("describes values briefly for error messages")
    func describesValues() {
        #expect(JSONValue.string("a\u{1}\"b").description == #""a\u0001\"b""#)
        #expect(JSONValue.number("1e2").description == "1e2")
        #expect(JSONValue.object([:]).description == "an object")
        let long = JSONValue.string(String(repeating: "x", count: 300)).description
        #expect(long == "\"" + String(repeating: "x", count: 64) + "…\" (300 characters)")
    }

    @Test("a node's text counts as canonical only when copying it as it stands gives canonical JSON", arguments: [
        (#"{"a":1,"b":[true,null,"x"],"c":{"d":-2}}"#, true),
        (#""plain é""#, true),
        (#"{"b":1,"a":2}"#, false),
        (#"{"a":1, "b":2}"#, false),
        (#""tab\t""#, false),
        (#"{"\u0061":1}"#, false),
        ("1.5", false),
        ("-0", false),
        ("9007199254740992", false),
    ])
    func canonicalNodes(json: String, isCanonical: Bool) throws {
        let document = try JSONDocument(parsing: Array(json.utf8))
        #expect(document.isCanonical(JSONDocument.root) == isCanonical)
        var writer = CanonicalWriter()
        if document.kind(of: JSONDocument.root) != .number || isCanonical {
            writer.copy(JSONDocument.root, of: document)
            #expect(writer.bytes == CanonicalJSON.encode(document.value(at: JSONDocument.root)))
        }
    }
}
