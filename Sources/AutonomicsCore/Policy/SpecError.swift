/// A SKU spec that cannot be loaded: names the file, the key (`rules[2].above`) and what was expected there.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the document came from, usually the file path.
    public var source: String
    /// The key path inside the document, e.g. `rules[2].above`; empty for the document itself.
    public var key: String
    public var code: Code
    /// What the key should hold.
    public var expected: String
    /// A short rendering of what it holds, nil when it is missing.
    public var found: String?

    public init(source: String, key: String, code: Code, expected: String, found: String? = nil) {
        self.source = source
        self.key = key
        self.code = code
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let place = key.isEmpty ? source : "\(source): \(key)"
        return "\(place): expected \(expected)" + (found.map { ", found \($0)" } ?? "")
    }

    /// Why a spec was refused; open-ended so that a new check needs no new case at every `switch`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public var description: String { rawValue }

        /// A required key is absent.
        public static let missingKey = Code(rawValue: "missing_key")
        /// A key the spec does not define (usually a typo).
        public static let unknownKey = Code(rawValue: "unknown_key")
        /// A value of the wrong type or out of range.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// A name that refers to nothing: a tier, metric, action or plan not defined elsewhere in the spec.
        public static let unknownReference = Code(rawValue: "unknown_reference")
        /// A binding template or name that does not have the resource's shape, or could address another tenant.
        public static let invalidBinding = Code(rawValue: "invalid_binding")
    }
}
