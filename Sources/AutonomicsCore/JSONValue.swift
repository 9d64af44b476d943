/// A JSON document (RFC 8259).
///
/// Numbers keep their exact lexeme (`"0.835"`, `"1e2"`, `"-0"`): converting them to `Double` would lose the decimal
/// text that validation compares exactly and that normalized events carry on unchanged.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `"0.835"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// Parses one JSON document strictly: RFC 8259 grammar, valid UTF-8, no duplicate object keys, nothing but
    /// whitespace after the value, at most ``JSONParser/maximumDepth`` nested arrays and objects, strings of
    /// stream-safe text (at most ``JSONParser/maximumNonStarterRun`` combining marks in a row).
    ///
    /// Object keys are Swift `String`s, so two keys that differ only in Unicode normalization (`"é"` precomposed and
    /// decomposed) count as duplicates.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONDocument(parsing: Array(bytes)).value(at: JSONDocument.root)
    }

    /// A JSON integer.
    public static func integer(_ value: Int64) -> JSONValue {
        .number(String(value))
    }

    /// The member named `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The text when this is a string.
    public var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The value when this is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The exact lexeme when this is a number.
    public var numberText: String? {
        guard case .number(let text) = self else { return nil }
        return text
    }

    /// The value when this is a number written as an integer (`12`, not `12.0` or `1.2e1`) that fits in `Int64`.
    public var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }

    /// The elements when this is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members when this is an object.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        self == .null
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) {
        self = .null
    }

    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }

    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    /// Traps on a repeated key, like `Dictionary(uniqueKeysWithValues:)`.
    public init(dictionaryLiteral members: (String, JSONValue)...) {
        self = .object(Dictionary(uniqueKeysWithValues: members))
    }
}

extension JSONValue: CustomStringConvertible {
    /// A short rendering for error messages: scalars as JSON (strings quoted, escaped and cut after 64 characters),
    /// containers by kind only, so that a message never carries a whole payload.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let text):
            let limit = 64
            guard text.count > limit else { return String(decoding: CanonicalJSON.encode(self), as: UTF8.self) }
            let head = String(decoding: CanonicalJSON.encode(.string(String(text.prefix(limit)))), as: UTF8.self)
            return "\(head.dropLast())…\" (\(text.count) characters)"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
