/// Why an input record cannot become a ``NormalizedEvent``; it goes to the dead-letter topic with this code.
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public var code: RejectionCode
    /// A readable explanation naming the field and what was expected.
    public var message: String

    public init(code: RejectionCode, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "\(code.rawValue): \(message)"
    }
}

/// The stable error codes carried in dead-letter headers. Open-ended so that other stages can add their own.
public struct RejectionCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The record has no value, or the Pub/Sub message data is empty.
    public static let emptyPayload = RejectionCode(rawValue: "empty_payload")
    /// The bytes are not strict JSON.
    public static let invalidJSON = RejectionCode(rawValue: "invalid_json")
    /// Valid JSON of no known shape.
    public static let unknownFormat = RejectionCode(rawValue: "unknown_format")
    /// A Pub/Sub push envelope lacks `message.data` or is otherwise malformed (or nested).
    public static let invalidEnvelope = RejectionCode(rawValue: "invalid_envelope")
    /// `message.data` is not base64.
    public static let invalidBase64 = RejectionCode(rawValue: "invalid_base64")
    /// A required field is absent.
    public static let missingField = RejectionCode(rawValue: "missing_field")
    /// A field has the wrong type or an unusable value.
    public static let invalidField = RejectionCode(rawValue: "invalid_field")
    /// A tenant id is not 1–256 printable ASCII characters.
    public static let invalidTenantID = RejectionCode(rawValue: "invalid_tenant_id")
    /// A signal names a metric outside ``IntakeSettings/knownMetrics``.
    public static let unknownMetric = RejectionCode(rawValue: "unknown_metric")
    /// A signal value is outside 0–100.
    public static let valueOutOfRange = RejectionCode(rawValue: "value_out_of_range")
    /// A time is neither RFC 3339 nor integer epoch seconds, or is outside years 0000–9999 in UTC.
    public static let invalidTimestamp = RejectionCode(rawValue: "invalid_timestamp")
    /// A signal is timestamped further ahead than ``IntakeSettings/signalMaxFutureSkewSeconds``.
    public static let timestampInFuture = RejectionCode(rawValue: "timestamp_in_future")
    /// A Monitoring incident carries no tenant label.
    public static let tenantUnresolved = RejectionCode(rawValue: "tenant_unresolved")
    /// A record on the tenant-events topic is not an encoded ``NormalizedEvent``.
    public static let invalidTenantEvent = RejectionCode(rawValue: "invalid_tenant_event")
    /// A Marketplace entitlement event whose entitlement the Procurement API does not know (404), did not answer
    /// after the client's retries, or answered with no usable account or state: its tenant cannot be resolved.
    public static let entitlementUnresolvable = RejectionCode(rawValue: "entitlement_unresolvable")
}
