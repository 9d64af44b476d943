/// Typed access to the members of one JSON object that turns every absence or type mismatch into a ``Rejection``
/// naming the field, e.g. `signal field "value": expected a number 0–100, found "abc"`.
struct FieldReader {
    let members: [String: JSONValue]
    /// What the document is, for messages: "signal", "marketplace", "monitoring", …
    let source: String
    /// This object's dotted path in the document, with a trailing dot ("" at the top).
    let path: String

    init(_ members: [String: JSONValue], source: String, path: String = "") {
        self.members = members
        self.source = source
        self.path = path
    }

    /// The member, with `null` read as absent: Google sends `null` for fields that do not apply.
    subscript(key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
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

    // MARK: Typed members

    /// A non-empty string.
    func requiredString(_ key: String) throws(Rejection) -> String {
        guard let value = self[key] else { throw missing(key) }
        guard case .string(let text) = value, !text.isEmpty else {
            throw invalid(key, expected: "a non-empty string", found: value)
        }
        return text
    }

    func optionalString(_ key: String) throws(Rejection) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let text) = value else { throw invalid(key, expected: "a string", found: value) }
        return text
    }

    /// A string, or a number as its exact text: for fields whose type varies between schema versions.
    func optionalText(_ key: String) throws(Rejection) -> String? {
        switch self[key] {
        case nil: return nil
        case .string(let text)?, .number(let text)?: return text
        case let value?: throw invalid(key, expected: "a string or a number", found: value)
        }
    }

    /// An integer within ±(2^53 − 1), so that it stays exact in any JSON reader.
    func optionalInteger(_ key: String) throws(Rejection) -> Int64? {
        guard let value = self[key] else { return nil }
        guard case .number(let text) = value, CanonicalJSON.isCanonicalInteger(text), let integer = Int64(text) else {
            throw invalid(key, expected: "an integer", found: value)
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
        guard let value = self[key] else { return nil }
        guard case .object(let members) = value else { throw invalid(key, expected: "an object", found: value) }
        return FieldReader(members, source: source, path: "\(path)\(key).")
    }

    /// A non-empty tenant id read from `key`, optionally behind a fixed `prefix`, checked with
    /// ``Normalizer/isValidTenantID(_:)``.
    func tenantID(_ key: String, prefix: String = "") throws(Rejection) -> String {
        guard let value = self[key] else { throw missing(key) }
        let expected =
            prefix.isEmpty
            ? "a tenant id of 1–256 printable ASCII characters"
            : "an id that with \"\(prefix)\" before it makes 1–256 printable ASCII characters"
        guard case .string(let text) = value, !text.isEmpty, Normalizer.isValidTenantID(prefix + text) else {
            throw invalid(key, expected: expected, found: value, code: .invalidTenantID)
        }
        return prefix + text
    }
}
