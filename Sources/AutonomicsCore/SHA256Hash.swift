import Crypto

/// A SHA-256 digest kept as 32 raw bytes inline (no heap allocation), for chain heads of many tenants.
struct SHA256Hash: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// The `prev_hash` of a tenant's first receipt.
    static let zero = SHA256Hash(words: (0, 0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The digest of `bytes`.
    init(of bytes: [UInt8]) {
        self.init(of: bytes, leavingOut: 0..<0)
    }

    /// The digest of `bytes` with the range `left` cut out, and `alsoLeft`, which must come after it.
    init(of bytes: [UInt8], leavingOut left: Range<Int>, _ alsoLeft: Range<Int> = 0..<0) {
        var hasher = SHA256()
        bytes.withUnsafeBytes { bytes in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[..<left.lowerBound]))
            if alsoLeft.isEmpty {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[left.upperBound...]))
            } else {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[left.upperBound..<alsoLeft.lowerBound]))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[alsoLeft.upperBound...]))
            }
        }
        self.init(hasher.finalize())
    }

    /// Calls `body` with the 32 bytes.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        Swift.withUnsafeBytes(of: words, body)
    }

    init(_ digest: SHA256Digest) {
        self = .zero
        withUnsafeMutableBytes(of: &words) { words in
            digest.withUnsafeBytes { words.copyMemory(from: $0) }
        }
    }

    /// Parses 64 lowercase hex digits, the only spelling receipts use.
    init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        self = .zero
        let isValid = withUnsafeMutableBytes(of: &words) { bytes in
            for index in 0..<32 {
                guard let high = Self.lowercaseHexValue(digits[2 * index]),
                    let low = Self.lowercaseHexValue(digits[2 * index + 1])
                else { return false }
                bytes[index] = high << 4 | low
            }
            return true
        }
        guard isValid else { return nil }
    }

    /// 64 lowercase hex digits.
    var hex: String {
        withUnsafeBytes { Hex.string($0) }
    }

    static func == (lhs: SHA256Hash, rhs: SHA256Hash) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    private static func lowercaseHexValue(_ digit: UInt8) -> UInt8? {
        digit >= UInt8(ascii: "A") && digit <= UInt8(ascii: "F") ? nil : Hex.value(of: digit)
    }
}
