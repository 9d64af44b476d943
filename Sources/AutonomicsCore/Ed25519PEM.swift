import Crypto

/// Ed25519 keys in the PEM files `openssl` writes: `openssl genpkey -algorithm ed25519` (PKCS#8, `PRIVATE KEY`) and
/// `openssl pkey -in KEY -pubout` (SubjectPublicKeyInfo, `PUBLIC KEY`).
///
/// An Ed25519 key's DER is a constant prefix and the 32 raw key bytes (RFC 8410), so matching the prefix is the whole
/// parse. swift-crypto's own PEM initialisers live in `_CryptoExtras`, which the pure core does not link, and its
/// private-key one ignores the algorithm: it would take an X25519 key for a signing key.
enum Ed25519PEM {
    static let privateKeyExpectation = "a PEM PKCS#8 Ed25519 private key (openssl genpkey -algorithm ed25519)"
    static let publicKeyExpectation = "a PEM Ed25519 public key (openssl pkey -in KEY -pubout)"

    /// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32 bytes) } }.
    private static let privateKeyPrefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    /// SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits, 32 bytes) }.
    private static let publicKeyPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    static func privateKey(_ text: String) throws(Ed25519KeyError) -> Curve25519.Signing.PrivateKey {
        try key(text, label: "PRIVATE KEY", prefix: privateKeyPrefix, expected: privateKeyExpectation) {
            try .init(rawRepresentation: $0)
        }
    }

    static func publicKey(_ text: String) throws(Ed25519KeyError) -> Curve25519.Signing.PublicKey {
        try key(text, label: "PUBLIC KEY", prefix: publicKeyPrefix, expected: publicKeyExpectation) {
            try .init(rawRepresentation: $0)
        }
    }

    private static func key<Key>(
        _ text: String, label: String, prefix: [UInt8], expected: String, make: ([UInt8]) throws -> Key
    ) throws(Ed25519KeyError) -> Key {
        let raw = try rawKey(text, label: label, prefix: prefix, expected: expected)
        do {
            return try make(raw)
        } catch {
            // Only a length other than 32 bytes, which rawKey rules out; kept as an error rather than a trap.
            throw Ed25519KeyError(expected: expected, found: "a key swift-crypto refuses: \(error)")
        }
    }

    /// The 32 key bytes after `prefix` in the DER of the first PEM block, which must be labelled `label`.
    private static func rawKey(
        _ text: String, label: String, prefix: [UInt8], expected: String
    ) throws(Ed25519KeyError) -> [UInt8] {
        func failure(_ found: String) -> Ed25519KeyError { Ed25519KeyError(expected: expected, found: found) }
        // "\r\n" is one Character, a newline too.
        let lines = text.split(whereSeparator: \.isNewline)
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") }) else { throw failure("no PEM block") }
        guard lines[begin] == "-----BEGIN \(label)-----" else { throw failure("a PEM block \(lines[begin])") }
        guard let end = lines[begin...].firstIndex(of: "-----END \(label)-----") else {
            throw failure("a PEM block without its END line")
        }
        guard let der = Base64.decode(lines[begin + 1..<end].joined()) else {
            throw failure("a PEM block whose body is not base64")
        }
        guard der.count == prefix.count + 32, der.starts(with: prefix) else {
            throw failure("\(label == "PRIVATE KEY" ? "a private" : "a public") key \(algorithm(of: der))")
        }
        return Array(der[prefix.count...])
    }

    /// The DER object identifiers of the keys people are likely to pass by mistake.
    private static let otherAlgorithms: [(name: String, oid: [UInt8])] = [
        ("X25519", [0x06, 0x03, 0x2B, 0x65, 0x6E]),
        ("X448", [0x06, 0x03, 0x2B, 0x65, 0x6F]),
        ("Ed448", [0x06, 0x03, 0x2B, 0x65, 0x71]),
        ("EC", [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
        ("RSA", [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]),
        ("Ed25519", [0x06, 0x03, 0x2B, 0x65, 0x70]),
    ]

    /// What the DER holds instead, for the error: e.g. `of type X25519`.
    private static func algorithm(of der: [UInt8]) -> String {
        guard let name = otherAlgorithms.first(where: { der.contains($0.oid) })?.name else {
            return "of an unknown type, or encrypted (\(der.count) bytes of DER)"
        }
        // An Ed25519 key with optional members (PKCS#8 v2 with its public key, attributes).
        return name == "Ed25519" ? "of type Ed25519 with members openssl does not write" : "of type \(name)"
    }
}

/// A key that is not an Ed25519 key in the PEM form `openssl` writes.
public struct Ed25519KeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What would have been accepted, naming the command that writes it.
    public var expected: String
    /// What the text holds instead.
    public var found: String

    public var description: String { "expected \(expected), found \(found)" }
}
