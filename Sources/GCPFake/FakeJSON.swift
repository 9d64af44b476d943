import Foundation

/// A JSON value as the fake stores resources and reads request bodies.
public enum FakeJSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FakeJSON])
    case object([String: FakeJSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([FakeJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: FakeJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text; `nil` when it is none.
    public init?(parsing bytes: [UInt8]) {
        guard let value = try? JSONDecoder().decode(FakeJSON.self, from: Data(bytes)) else { return nil }
        self = value
    }

    /// Sorted-key JSON text.
    public var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("null".utf8))
    }

    public subscript(key: String) -> FakeJSON? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            guard case .object(var object) = self else { return }
            object[key] = newValue
            self = .object(object)
        }
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value at a dotted path such as `scaling.maxInstanceCount`.
    public func value(at path: [String]) -> FakeJSON? {
        guard let first = path.first else { return self }
        return self[first]?.value(at: Array(path.dropFirst()))
    }

    /// Sets (or with `nil`, removes) the value at a dotted path, creating objects on the way.
    public mutating func set(_ value: FakeJSON?, at path: [String]) {
        guard let first = path.first else {
            self = value ?? .null
            return
        }
        guard case .object(var object) = self else { return }
        if path.count == 1 {
            object[first] = value
        } else {
            var child = object[first] ?? .object([:])
            if case .object = child {} else { child = .object([:]) }
            child.set(value, at: Array(path.dropFirst()))
            object[first] = child
        }
        self = .object(object)
    }
}

extension FakeJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: FakeJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, FakeJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}
