/// Why a document is not strict RFC 8259 JSON, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The input ended where `expected` was due.
        case unexpectedEnd(expected: String)
        /// The byte at the offset cannot start or continue what was `expected`.
        case unexpectedByte(UInt8, expected: String)
        /// A string holds a byte sequence that is not UTF-8 (overlong, surrogate, above U+10FFFF, truncated, stray).
        case invalidUTF8
        /// A string holds a raw U+0000–U+001F; JSON requires these escaped.
        case unescapedControlCharacter(UInt8)
        /// A backslash is followed by something other than `"\/bfnrt` or `u` and four hex digits.
        case invalidEscape
        /// A `\u` escape names half of a UTF-16 surrogate pair without the other half.
        case loneSurrogate
        /// A number breaks the grammar, e.g. `01`, `1.`, `.5`, `1e`.
        case invalidNumber(String)
        /// An object names the same key twice.
        case duplicateKey(String)
        /// Arrays and objects nest deeper than the limit.
        case nestingTooDeep(limit: Int)
        /// A string has more combining marks (non-starters) in a row than the limit: it is not stream-safe text.
        case tooManyCombiningMarks(limit: Int)
        /// Something other than whitespace follows the document.
        case trailingData
    }

    public var reason: Reason
    /// Offset of the offending byte from the start of the input.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }
}

extension JSONParseError.Reason: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unexpectedEnd(let expected):
            return "expected \(expected), found the end of the input"
        case .unexpectedByte(let byte, let expected):
            return "expected \(expected), found \(Self.describe(byte))"
        case .invalidUTF8:
            return "invalid UTF-8"
        case .unescapedControlCharacter(let byte):
            return "control character \(Self.describe(byte)) must be escaped in a string"
        case .invalidEscape:
            return #"invalid escape sequence (expected \", \\, \/, \b, \f, \n, \r, \t or \u and 4 hex digits)"#
        case .loneSurrogate:
            return "\\u escape with a lone UTF-16 surrogate"
        case .invalidNumber(let problem):
            return "invalid number: \(problem)"
        case .duplicateKey(let key):
            return "duplicate object key \(JSONValue.string(key))"
        case .nestingTooDeep(let limit):
            return "arrays and objects nested more than \(limit) deep"
        case .tooManyCombiningMarks(let limit):
            return "more than \(limit) combining marks in a row in a string (not stream-safe text, UAX #15)"
        case .trailingData:
            return "unexpected data after the JSON value"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x" + Hex.string([byte])
    }
}
