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
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Appends the canonical bytes of `value` to `output`. Traps if it holds a number that is not a canonical integer.
    public static func encode(_ value: JSONValue, into output: inout [UInt8]) {
        do {
            try write(value, into: &output)
        } catch {
            preconditionFailure(error.description)
        }
    }

    /// The canonical bytes of `value`, or an error if it holds a number that is not a canonical integer.
    public static func checkedEncode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var output: [UInt8] = []
        try write(value, into: &output)
        return output
    }

    /// The canonical bytes of the object `members` plus one member, `key`, whose value is computed from the
    /// canonical bytes of `members` alone, as a self-hashing receipt's `hash` is. Encodes once and splices the
    /// member in rather than encoding twice. `members` must have unique keys, none of them `key`; it is a sequence
    /// rather than a dictionary so that the hot path hashes no keys. Traps like ``encode(_:)``.
    static func encode(
        _ members: some Collection<(key: String, value: JSONValue)>,
        addingMember key: String,
        valueFromContent value: ([UInt8]) -> JSONValue
    ) -> [UInt8] {
        var output: [UInt8] = []
        // Receipts are a few hundred bytes: one allocation instead of a series of doublings.
        output.reserveCapacity(1024)
        let offset: Int
        do {
            offset = try writeObject(members, into: &output, pendingKey: key)
        } catch {
            preconditionFailure(error.description)
        }
        var member: [UInt8] = []
        writeString(key, into: &member)
        member.append(UInt8(ascii: ":"))
        encode(value(output), into: &member)
        if members.isEmpty {
            output.insert(contentsOf: member, at: offset)
        } else if offset == output.count - 1 {
            output.insert(contentsOf: [UInt8(ascii: ",")] + member, at: offset)
        } else {
            output.insert(contentsOf: member + [UInt8(ascii: ",")], at: offset)
        }
        return output
    }

    /// Whether `lexeme` is `0` or `-?[1-9][0-9]*` within ±``maximumInteger``.
    public static func isCanonicalInteger(_ lexeme: String) -> Bool {
        var digits = Substring(lexeme).utf8
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, digits.count <= 16 else { return false }
        if first == UInt8(ascii: "0") { return lexeme == "0" }
        var magnitude: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return false }
            magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        return magnitude <= maximumInteger
    }

    /// JCS key order: by UTF-16 code units.
    ///
    /// Compares UTF-8 bytes instead, which is faster on native strings. UTF-8 byte order is code point order; it
    /// differs from UTF-16 order only between U+E000–U+FFFF (lead bytes EE–EF) and supplementary characters (lead
    /// bytes F0–F4, surrogates D800–DBFF in UTF-16), so exactly that pair is flipped.
    static func keyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
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
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let lexeme):
            guard isCanonicalInteger(lexeme) else { throw CanonicalJSONError(number: lexeme) }
            output.append(contentsOf: lexeme.utf8)
        case .string(let text):
            writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            try writeObject(members, into: &output)
        }
    }

    /// Writes an object and returns where a member named `pendingKey` (not among `members`) would start: the
    /// offset of the key of the member it sorts before, or of the closing brace.
    @discardableResult
    private static func writeObject(
        _ members: some Sequence<(key: String, value: JSONValue)>,
        into output: inout [UInt8],
        pendingKey: String? = nil
    ) throws(CanonicalJSONError) -> Int {
        output.append(UInt8(ascii: "{"))
        var pendingOffset: Int? = nil
        for (index, member) in members.sorted(by: { keyPrecedes($0.key, $1.key) }).enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if pendingOffset == nil, let pendingKey, keyPrecedes(pendingKey, member.key) {
                pendingOffset = output.count
            }
            writeString(member.key, into: &output)
            output.append(UInt8(ascii: ":"))
            try write(member.value, into: &output)
        }
        output.append(UInt8(ascii: "}"))
        return pendingOffset ?? output.count - 1
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Copies runs that need no escaping in one go.
            var runStart = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscaped(byte, to: &output)
                runStart = index + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x00..<0x20: output.append(contentsOf: "u00\(Hex.string([byte]))".utf8)
        default: output.append(byte)
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
