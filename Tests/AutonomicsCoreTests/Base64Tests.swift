import Testing

@testable import AutonomicsCore

@Suite("Base64")
struct Base64Tests {
    /// RFC 4648 §10.
    static let vectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("encodes and decodes the RFC 4648 vectors", arguments: vectors)
    func roundTripsVectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    static let accepted: [(text: String, bytes: [UInt8])] = [
        ("Zg", Array("f".utf8)),
        ("Zm8", Array("fo".utf8)),
        ("+/8=", [0xFB, 0xFF]),
        ("-_8=", [0xFB, 0xFF]),
        ("-_8", [0xFB, 0xFF]),
    ]

    @Test("accepts missing padding and the URL-safe alphabet", arguments: accepted)
    func accepts(text: String, bytes: [UInt8]) {
        #expect(Base64.decode(text) == bytes)
    }

    static let rejected = ["Z", "Zg=", "Zg===", "Z===", "Zm9v=", "Zm=v", "Zm 9v", "Zm9v\n", "Zm9v!", "=Zm9"]

    @Test("rejects other bytes, misplaced padding and impossible lengths", arguments: rejected)
    func rejects(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("decodes every length, padded or not")
    func allLengths() {
        for length in 0..<100 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let padded = Base64.encode(bytes)
            #expect(Base64.decode(padded) == bytes)
            #expect(Base64.decode(String(padded.prefix { $0 != "=" })) == bytes)
        }
    }

    @Test("round-trips every byte value")
    func allBytes() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
}
