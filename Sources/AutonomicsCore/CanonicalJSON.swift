/// The JSON Canonicalization Scheme (RFC 8785) for the values this worker hashes: receipts and normalized events.
///
/// Output has no whitespace, object members sorted by the UTF-16 code units of their keys, and strings escaped
/// exactly as JCS prescribes: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other U+0000–U+001F as `\u00xx`, everything
/// else (including `/` and non-ASCII) literal.
///
/// Numbers are limited to integers: an ECMAScript-exact rendering of fractions is not needed because receipts carry
/// decimals as strings. A number must be `0` or `-?[1-9][0-9]*` within ±(2^53 − 1), the range every JSON reader
/// holds exactly. ``encode(_:)`` treats any other number as a programmer error and traps; use
/// ``checkedEncode(_:)`` for values read from outside.
public enum CanonicalJSON {
    /// The largest integer every JSON implementation represents exactly (2^53 − 1).
    public static let maximumInteger: Int64 = (1 << 53) - 1

    /// The canonical bytes of `value`. Traps if it holds a number that is not a canonical integer.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = CanonicalWriter()
        writer.value(value)
        return writer.bytes
    }

    /// Appends the canonical bytes of `value` to `output`. Traps if it holds a number that is not a canonical integer.
    public static func encode(_ value: JSONValue, into output: inout [UInt8]) {
        output.append(contentsOf: encode(value))
    }

    /// The canonical bytes of `value`, or an error if it holds a number that is not a canonical integer.
    public static func checkedEncode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var writer = CanonicalWriter()
        try writer.checkedValue(value)
        return writer.bytes
    }

    /// Whether `lexeme` is `0` or `-?[1-9][0-9]*` within ±``maximumInteger``.
    public static func isCanonicalInteger(_ lexeme: String) -> Bool {
        lexeme.withUTF8Bytes { integer(canonical: $0) } != nil
    }

    /// The value of `lexeme` when it is a canonical integer (see ``isCanonicalInteger(_:)``).
    static func integer(canonical lexeme: UnsafeBufferPointer<UInt8>) -> Int64? {
        var digits = lexeme[...]
        let isNegative = digits.first == UInt8(ascii: "-")
        if isNegative { digits = digits.dropFirst() }
        guard let first = digits.first, digits.count <= 16 else { return nil }
        if first == UInt8(ascii: "0") { return lexeme.count == 1 ? 0 : nil }
        var magnitude: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        guard magnitude <= maximumInteger else { return nil }
        return isNegative ? -magnitude : magnitude
    }

    /// JCS key order: by UTF-16 code units.
    ///
    /// Compares UTF-8 bytes instead, which is faster on native strings. UTF-8 byte order is code point order; it
    /// differs from UTF-16 order only between U+E000–U+FFFF (lead bytes EE–EF) and supplementary characters (lead
    /// bytes F0–F4, surrogates D800–DBFF in UTF-16), so exactly that pair is flipped.
    static func keyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.withUTF8Bytes { left in rhs.withUTF8Bytes { right in keyPrecedes(utf8: left, right) } }
    }

    /// ``keyPrecedes(_:_:)`` for UTF-8 bytes.
    static func keyPrecedes(utf8 left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 0..<min(left.count, right.count) where left[index] != right[index] {
            let (l, r) = (left[index], right[index])
            if l >= 0xEE && r >= 0xEE && (l >= 0xF0) != (r >= 0xF0) {
                return l >= 0xF0
            }
            return l < r
        }
        return left.count < right.count
    }
}

/// Appends canonical JSON (see ``CanonicalJSON``) to a byte buffer piece by piece, for encoders that know their
/// members and write them in key order themselves, and for ``CanonicalJSON/encode(_:)``: the one place that
/// writes JSON text.
struct CanonicalWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes `"key":` for a key spelled out in code, which needs no escaping, after a comma unless the key opens
    /// its object. Keys must come in ``CanonicalJSON`` order (``CanonicalJSON/keyPrecedes(_:_:)``).
    mutating func key(_ key: StaticString) {
        let text = key.utf8Bytes
        assert(ByteScan.firstSpecialByte(in: text, from: 0, orNonASCII: false) == text.count, "\(key) needs escaping")
        if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// ``key(_:)`` for any key, escaped as a string.
    mutating func key(named key: String) {
        if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ text: String) {
        text.withUTF8Bytes { string(utf8: $0) }
    }

    /// Writes UTF-8 text as a string, escaped as ``CanonicalJSON`` says.
    mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        // Copies runs that need no escaping in one go.
        var runStart = 0
        while true {
            let index = ByteScan.firstSpecialByte(in: text, from: runStart, orNonASCII: false)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            guard index < text.count else { break }
            appendEscaped(text[index])
            runStart = index + 1
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x00..<0x20:
            bytes.append(contentsOf: "u00".utf8)
            appendHex(of: CollectionOfOne(byte))
        default: bytes.append(byte)
        }
    }

    /// Writes lowercase hex digits of `data` as a string, e.g. a hash.
    mutating func string(hexOf data: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        appendHex(of: data)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendHex(of data: some Collection<UInt8>) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: data.count * 2))
        bytes.withUnsafeMutableBufferPointer { Hex.write(data, to: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    }

    /// Overwrites `range`, which holds ``string(hexOf:)``'s digits of as many bytes as `data` has, with `data`'s.
    mutating func replaceHex(in range: Range<Int>, with data: some Collection<UInt8>) {
        precondition(range.count == data.count * 2, "hex digits must fill the range")
        bytes.withUnsafeMutableBufferPointer { Hex.write(data, to: UnsafeMutableBufferPointer(rebasing: $0[range])) }
    }

    /// Overwrites `range` with `text`, as long as it, which needs no escaping (a receipt's signature).
    mutating func replaceASCII(in range: Range<Int>, with text: [UInt8]) {
        precondition(range.count == text.count, "the text must fill the range")
        bytes.replaceSubrange(range, with: text)
    }

    /// Writes an RFC 3339 time (``RFC3339/format(milliseconds:)``) as a string.
    mutating func string(timeMilliseconds milliseconds: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: RFC3339.maximumLength) { buffer in
            let length = RFC3339.write(milliseconds: milliseconds, to: buffer)
            // RFC 3339 text needs no escaping.
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<length]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Writes an integer. Traps outside ±``CanonicalJSON/maximumInteger``, like a number in ``value(_:)``.
    mutating func integer(_ value: Int64) {
        precondition(
            value.magnitude <= CanonicalJSON.maximumInteger,
            CanonicalJSONError(number: String(value)).description
        )
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // At most 16 digits, written backwards.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { digits in
            var start = digits.count
            var remaining = value.magnitude
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Writes a node of a parsed document: its text as it stands when that is canonical already
    /// (``JSONDocument/isCanonical(_:)``), else its value encoded. Traps like ``value(_:)``.
    mutating func copy(_ node: Int, of document: JSONDocument) {
        guard document.isCanonical(node) else { return value(document.value(at: node)) }
        document.withText(of: node) { bytes.append(contentsOf: $0) }
    }

    /// Writes any value, sorting object members. Traps on a number that is not a canonical integer.
    mutating func value(_ value: JSONValue) {
        do {
            try checkedValue(value)
        } catch {
            preconditionFailure(error.description)
        }
    }

    /// Writes an object, sorting its members. Traps like ``value(_:)``.
    mutating func object(_ members: [String: JSONValue]) {
        value(.object(members))
    }

    private mutating func checkedObject(_ members: [String: JSONValue]) throws(CanonicalJSONError) {
        let entries = Array(members)
        // Sorting positions moves plain integers; moving the members would count references at every step.
        let order = entries.indices.sorted { CanonicalJSON.keyPrecedes(entries[$0].key, entries[$1].key) }
        beginObject()
        for index in order {
            key(named: entries[index].key)
            try checkedValue(entries[index].value)
        }
        endObject()
    }

    /// Writes any value, sorting object members, or throws on a number that is not a canonical integer.
    mutating func checkedValue(_ value: JSONValue) throws(CanonicalJSONError) {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let flag):
            bytes.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let lexeme):
            guard CanonicalJSON.isCanonicalInteger(lexeme) else { throw CanonicalJSONError(number: lexeme) }
            bytes.append(contentsOf: lexeme.utf8)
        case .string(let text):
            string(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try checkedValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            try checkedObject(members)
        }
    }
}

/// A number that canonical JSON, as used here, does not encode.
public struct CanonicalJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending lexeme.
    public var number: String

    public var description: String {
        "canonical JSON holds integers only (0 or -?[1-9][0-9]* within ±(2^53 − 1)), found \(number)"
    }
}
