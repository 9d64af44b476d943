import Testing

@testable import AutonomicsCore

@Suite("Canonical JSON (RFC 8785)")
struct CanonicalJSONTests {
    private func canonical(_ json: String) throws -> String {
        String(decoding: CanonicalJSON.encode(try JSONValue.parse(Array(json.utf8))), as: UTF8.self)
    }

    @Test("RFC 8785 §3.2.3: sorts keys by UTF-16 code units, emoji before U+FB33")
    func rfcSortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            #"{"\r":"Carriage Return","1":"One","\#u{80}":"Control","ö":"Latin Small Letter O With Diaeresis","#
            + #""€":"Euro Sign","😀":"Emoji: Grinning Face","\#u{FB33}":"Hebrew Letter Dalet With Dagesh"}"#
        #expect(try canonical(input) == expected)
    }

    @Test("RFC 8785 §3.2.2: literals and string escaping (its numbers are fractions, outside this profile)")
    func rfcStringExample() throws {
        let input = #"""
            {
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        #expect(try canonical(input) == #"{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    static let escapes: [(text: String, encoded: String)] = [
        ("\"", #""\"""#),
        ("\\", #""\\""#),
        ("\u{08}", #""\b""#),
        ("\u{0C}", #""\f""#),
        ("\n", #""\n""#),
        ("\r", #""\r""#),
        ("\t", #""\t""#),
        ("\u{00}", #""\u0000""#),
        ("\u{1F}", #""\u001f""#),
        ("\u{0B}", #""\u000b""#),
        ("/", #""/""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("é\u{2028}😀", "\"é\u{2028}😀\""),
        ("plain", #""plain""#),
    ]

    @Test("escapes exactly what JCS escapes", arguments: escapes)
    func escapesStrings(text: String, encoded: String) {
        #expect(CanonicalJSON.encode(.string(text)) == Array(encoded.utf8))
    }

    @Test("escapes every control character")
    func escapesAllControlCharacters() {
        let shortForms: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        for byte in UInt8(0)..<0x20 {
            let hex = String(byte, radix: 16)
            let expected = shortForms[byte] ?? #"\u00"# + (hex.count == 1 ? "0" + hex : hex)
            #expect(CanonicalJSON.encode(.string(String(UnicodeScalar(byte)))) == Array("\"\(expected)\"".utf8))
        }
    }

    @Test("removes whitespace and sorts nested objects")
    func nested() throws {
        #expect(
            try canonical(#" [ 1 , { "b" : [ ] , "a" : { "d" : 0, "c" : -5 } } ] "#)
                == #"[1,{"a":{"c":-5,"d":0},"b":[]}]"#
        )
    }

    static let keys = [
        "", "a", "ab", "b", "Z", "é", "z", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FB33}",
        "\u{FFFD}", "\u{FFFF}", "\u{10000}", "😀", "😀a", "\u{10FFFF}", "a\u{E000}", "a😀",
    ]

    @Test("key order agrees with UTF-16 code unit order for every pair")
    func keyOrderMatchesUTF16() {
        for left in Self.keys {
            for right in Self.keys {
                #expect(
                    CanonicalJSON.keyPrecedes(left, right) == left.utf16.lexicographicallyPrecedes(right.utf16),
                    "\(left.unicodeScalars.map(\.value)) vs \(right.unicodeScalars.map(\.value))"
                )
            }
        }
    }

    static let integerLexemes: [(lexeme: String, isCanonical: Bool)] = [
        ("0", true),
        ("7", true),
        ("-7", true),
        ("9007199254740991", true),
        ("-9007199254740991", true),
        ("9007199254740992", false),
        ("-9007199254740992", false),
        ("12345678901234567", false),
        ("-0", false),
        ("01", false),
        ("1.0", false),
        ("1e2", false),
        ("+1", false),
        ("", false),
        ("-", false),
    ]

    @Test("numbers must be canonical integers within ±(2^53 − 1)", arguments: integerLexemes)
    func checksIntegers(lexeme: String, isCanonical: Bool) {
        #expect(CanonicalJSON.isCanonicalInteger(lexeme) == isCanonical)
        if isCanonical {
            #expect(CanonicalJSON.encode(.number(lexeme)) == Array(lexeme.utf8))
        } else {
            #expect(throws: CanonicalJSONError(number: lexeme)) {
                try CanonicalJSON.checkedEncode(["a": [.number(lexeme)]])
            }
        }
    }

    @Test("encoding a fraction is a programmer error")
    func fractionTraps() async {
        await #expect(processExitsWith: .failure) { _ = CanonicalJSON.encode(["value": .number("0.5")]) }
    }

    @Test("checked encoding gives the same bytes as encoding")
    func checkedEncodeMatches() throws {
        let value: JSONValue = ["n": 42, "s": "x", "a": [true, nil]]
        #expect(try CanonicalJSON.checkedEncode(value) == CanonicalJSON.encode(value))
        var buffer = Array("prefix:".utf8)
        CanonicalJSON.encode(value, into: &buffer)
        #expect(buffer == Array(#"prefix:{"a":[true,null],"n":42,"s":"x"}"#.utf8))
    }
}
