/// A position in a SKU spec document (or another document read the same way, such as a tenant's state record):
/// reads the value there and names the key path in every error.
struct SpecReader {
    let value: JSONValue
    let source: String
    /// The key path, e.g. `rules[2].tiers.starter`; empty at the root.
    let path: String

    init(document: JSONValue, source: String) {
        self.init(value: document, source: source, path: "")
    }

    private init(value: JSONValue, source: String, path: String) {
        self.value = value
        self.source = source
        self.path = path
    }

    func error(_ code: SpecError.Code, expected: String, at key: String? = nil, found: JSONValue? = nil) -> SpecError {
        SpecError(
            source: source, key: key.map(childPath) ?? path, code: code, expected: expected,
            found: found?.description)
    }

    /// The members of this table, refusing keys outside `known` (a typo must not silently mean "not set").
    func table(known: Set<String>) throws(SpecError) -> [String: JSONValue] {
        let members = try anyTable()
        for key in members.keys.sorted() where !known.contains(key) {
            throw error(.unknownKey, expected: "one of " + known.sorted().joined(separator: ", "), at: key)
        }
        return members
    }

    /// The members of this table, whatever their keys, as readers in key order.
    func entries() throws(SpecError) -> [(key: String, reader: SpecReader)] {
        try anyTable().sorted { $0.key < $1.key }.map { (key: $0.key, reader: child($0.key, $0.value)) }
    }

    /// The member `key`, which must be present.
    func required(_ key: String) throws(SpecError) -> SpecReader {
        guard let member = try anyTable()[key] else {
            throw error(.missingKey, expected: "a value", at: key)
        }
        return child(key, member)
    }

    /// The member `key` when present.
    func optional(_ key: String) throws(SpecError) -> SpecReader? {
        try anyTable()[key].map { child(key, $0) }
    }

    func string() throws(SpecError) -> String {
        guard let text = value.stringValue, !text.isEmpty else {
            throw error(.invalidValue, expected: "a non-empty string", found: value)
        }
        return text
    }

    func integer(in range: ClosedRange<Int64>) throws(SpecError) -> Int64 {
        guard let number = value.int64Value, range.contains(number) else {
            throw error(.invalidValue, expected: "an integer \(range.lowerBound)–\(range.upperBound)", found: value)
        }
        return number
    }

    /// A number within `range`, as its exact lexeme (compared as a decimal, never through `Double`).
    func decimal(in range: ClosedRange<Int64>) throws(SpecError) -> String {
        let expected = "a number \(range.lowerBound)–\(range.upperBound)"
        guard let lexeme = value.numberText else { throw error(.invalidValue, expected: expected, found: value) }
        let decimal = DecimalLexeme(lexeme)
        guard decimal >= DecimalLexeme(String(range.lowerBound)), decimal <= DecimalLexeme(String(range.upperBound))
        else {
            throw error(.invalidValue, expected: expected, found: value)
        }
        return lexeme
    }

    /// A string naming one case of `Value`.
    func oneOf<Value: RawRepresentable & CaseIterable>(_: Value.Type) throws(SpecError) -> Value
    where Value.RawValue == String {
        guard let text = value.stringValue, let found = Value(rawValue: text) else {
            throw error(
                .invalidValue, expected: "one of " + Value.allCases.map(\.rawValue).joined(separator: ", "),
                found: value)
        }
        return found
    }

    func array() throws(SpecError) -> [SpecReader] {
        guard let elements = value.arrayValue else { throw error(.invalidValue, expected: "an array", found: value) }
        return elements.enumerated().map {
            SpecReader(value: $0.element, source: source, path: "\(path)[\($0.offset)]")
        }
    }

    func strings() throws(SpecError) -> [String] {
        var result: [String] = []
        for element in try array() { result.append(try element.string()) }
        return result
    }

    private func anyTable() throws(SpecError) -> [String: JSONValue] {
        guard let members = value.objectValue else { throw error(.invalidValue, expected: "a table", found: value) }
        return members
    }

    private func child(_ key: String, _ value: JSONValue) -> SpecReader {
        SpecReader(value: value, source: source, path: childPath(key))
    }

    /// TOML's spelling: bare keys joined by dots, others quoted.
    private func childPath(_ key: String) -> String {
        let isBare = !key.isEmpty && key.utf8.allSatisfy { Self.bareKeyBytes.contains($0) }
        let name = isBare ? key : String(decoding: CanonicalJSON.encode(.string(key)), as: UTF8.self)
        return path.isEmpty ? name : path + "." + name
    }

    private static let bareKeyBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
}
