/// Typed access to the members of one JSON object that turns every absence or type mismatch into a ``Rejection``
/// naming the field, e.g. `signal field "value": expected a number 0–100, found "abc"`.
///
/// Reads straight from the parsed document: only what a caller asks for becomes a Swift value.
struct FieldReader {
    let document: JSONDocument
    /// The object's node in `document`.
    let object: Int
    /// What the document is, for messages: "signal", "marketplace", "monitoring", …
    let source: String
    /// This object's dotted path in the document, with a trailing dot ("" at the top).
    let path: String

    /// Reads the object at `object` (the top-level value by default), which must be an object.
    init(_ document: JSONDocument, object: Int = JSONDocument.root, source: String, path: String = "") {
        precondition(document.kind(of: object) == .object, "FieldReader reads objects")
        self.document = document
        self.object = object
        self.source = source
        self.path = path
    }

    /// The member's node, with `null` read as absent: Google sends `null` for fields that do not apply.
    func node(_ key: String) -> Int? {
        guard let node = document.member(key, of: object), document.kind(of: node) != .null else { return nil }
        return node
    }

    /// The member as a value, with `null` read as absent.
    subscript(key: String) -> JSONValue? {
        node(key).map(document.value(at:))
    }

    /// Every member, `null`s included, in document order.
    var members: some Sequence<(key: String, value: JSONValue)> {
        let document = document
        return document.members(of: object).lazy.map { (document.string(at: $0.key), document.value(at: $0.value)) }
    }

    // MARK: Rejections

    func missing(_ key: String) -> Rejection {
        Rejection(code: .missingField, message: "\(source) field \"\(path)\(key)\" is missing")
    }

    func invalid(
        _ key: String,
        expected: String,
        found: JSONValue,
        code: RejectionCode = .invalidField
    ) -> Rejection {
        Rejection(code: code, message: "\(source) field \"\(path)\(key)\": expected \(expected), found \(found)")
    }

    /// ``invalid(_:expected:found:code:)`` for the value at a node.
    func invalid(
        _ key: String,
        expected: String,
        foundAt node: Int,
        code: RejectionCode = .invalidField
    ) -> Rejection {
        invalid(key, expected: expected, found: document.value(at: node), code: code)
    }

    // MARK: Typed members

    /// A non-empty string.
    func requiredString(_ key: String) throws(Rejection) -> String {
        document.string(at: try requiredStringNode(key))
    }

    /// The node of a non-empty string member, to read its bytes without making a `String`.
    func requiredStringNode(_ key: String) throws(Rejection) -> Int {
        guard let node = node(key) else { throw missing(key) }
        guard document.kind(of: node) == .string, !document.isEmptyString(node) else {
            throw invalid(key, expected: "a non-empty string", foundAt: node)
        }
        return node
    }

    func optionalString(_ key: String) throws(Rejection) -> String? {
        try optionalStringNode(key).map(document.string(at:))
    }

    /// The node of a string member, to read its bytes without making a `String`.
    func optionalStringNode(_ key: String) throws(Rejection) -> Int? {
        guard let node = node(key) else { return nil }
        guard document.kind(of: node) == .string else { throw invalid(key, expected: "a string", foundAt: node) }
        return node
    }

    /// A string, or a number as its exact text: for fields whose type varies between schema versions.
    func optionalText(_ key: String) throws(Rejection) -> String? {
        guard let node = node(key) else { return nil }
        switch document.kind(of: node) {
        case .string: return document.string(at: node)
        case .number: return document.text(of: node)
        default: throw invalid(key, expected: "a string or a number", foundAt: node)
        }
    }

    /// An integer within ±(2^53 − 1), so that it stays exact in any JSON reader.
    func optionalInteger(_ key: String) throws(Rejection) -> Int64? {
        guard let node = node(key) else { return nil }
        guard document.kind(of: node) == .number,
            let integer = document.withUTF8(of: node, CanonicalJSON.integer(canonical:))
        else {
            throw invalid(key, expected: "an integer", foundAt: node)
        }
        return integer
    }

    func requiredInteger(_ key: String) throws(Rejection) -> Int64 {
        guard let integer = try optionalInteger(key) else { throw missing(key) }
        return integer
    }

    /// Whole seconds since the epoch, up to the end of year 9999, as milliseconds.
    func optionalEpochSeconds(_ key: String) throws(Rejection) -> Int64? {
        guard let value = self[key] else { return nil }
        guard let milliseconds = Self.epochMilliseconds(fromSeconds: value) else {
            throw invalid(key, expected: "integer epoch seconds", found: value, code: .invalidTimestamp)
        }
        return milliseconds
    }

    /// An integer number of seconds from 1970 to the end of year 9999 (the last second RFC 3339 can write), as
    /// milliseconds.
    static func epochMilliseconds(fromSeconds value: JSONValue) -> Int64? {
        guard let seconds = value.int64Value, (0...253_402_300_799).contains(seconds) else { return nil }
        return seconds * 1000
    }

    func requiredObject(_ key: String) throws(Rejection) -> FieldReader {
        guard let object = try optionalObject(key) else { throw missing(key) }
        return object
    }

    func optionalObject(_ key: String) throws(Rejection) -> FieldReader? {
        guard let node = node(key) else { return nil }
        guard document.kind(of: node) == .object else { throw invalid(key, expected: "an object", foundAt: node) }
        return FieldReader(document, object: node, source: source, path: path + key + ".")
    }

    /// A non-empty tenant id read from `key`, optionally behind a fixed `prefix`, checked with
    /// ``Normalizer/isValidTenantID(_:)``.
    func tenantID(_ key: String, prefix: String = "") throws(Rejection) -> String {
        guard let node = node(key) else { throw missing(key) }
        func rejection() -> Rejection {
            let expected =
                prefix.isEmpty
                ? "a tenant id of 1–256 printable ASCII characters"
                : "an id that with \"\(prefix)\" before it makes 1–256 printable ASCII characters"
            return invalid(key, expected: expected, foundAt: node, code: .invalidTenantID)
        }
        guard document.kind(of: node) == .string, !document.isEmptyString(node) else { throw rejection() }
        let tenantID = prefix.isEmpty ? document.string(at: node) : prefix + document.string(at: node)
        guard Normalizer.isValidTenantID(tenantID) else { throw rejection() }
        return tenantID
    }
}
