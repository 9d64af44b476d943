/// Turns raw input records into ``NormalizedEvent``s, or says precisely why not.
///
/// Formats are told apart by shape, not by headers, because a Pub/Sub bridge may forward anything: a Pub/Sub push
/// envelope (unwrapped once, then any of the others), a Marketplace Procurement notification, a Cloud Monitoring
/// incident, or a direct signal. Pure: the clock is a parameter.
public struct Normalizer: Sendable {
    public let settings: IntakeSettings

    public init(settings: IntakeSettings = IntakeSettings()) {
        self.settings = settings
    }

    /// Normalizes one record value.
    /// - Parameters:
    ///   - value: the record value; nil for a record without one.
    ///   - origin: where the record was read.
    ///   - now: the worker's clock in milliseconds since the epoch, for the future-skew rule and as a last-resort time.
    public func normalize(_ value: [UInt8]?, origin: EventOrigin, now: Int64) -> Result<NormalizedEvent, Rejection> {
        var origin = origin
        // Producers set record timestamps freely; one outside RFC 3339's years is dropped rather than carried into
        // event times and canonical encodings that cannot hold it.
        if let timestamp = origin.timestamp, !RFC3339.representableMilliseconds.contains(timestamp) {
            origin.timestamp = nil
        }
        return Result { () throws(Rejection) in
            let document = try JSONDocument(parsingObject: value, what: "the record value")
            guard PubSubEnvelope.isEnvelope(document) else {
                return try normalizeEvent(document, origin: origin, now: now)
            }
            let envelope = try PubSubEnvelope(document)
            let inner = try JSONDocument(parsingObject: envelope.data, what: "the Pub/Sub message data")
            guard !PubSubEnvelope.isEnvelope(inner) else {
                throw Rejection(code: .invalidEnvelope, message: "the Pub/Sub message data is itself an envelope")
            }
            var event = try normalizeEvent(inner, origin: origin, now: now)
            event.pubsubMessageID = envelope.messageID
            return event
        }
    }

    /// The rule for every resolved tenant id: 1–256 characters, printable ASCII (no control characters), because it
    /// becomes a Kafka key, a log field and part of resource bindings.
    public static func isValidTenantID(_ candidate: String) -> Bool {
        candidate.withUTF8Bytes { bytes in
            (1...256).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
    }

    private func normalizeEvent(
        _ document: JSONDocument,
        origin: EventOrigin,
        now: Int64
    ) throws(Rejection) -> NormalizedEvent {
        // Present, even as null.
        func has(_ key: String) -> Bool { document.member(key, of: JSONDocument.root) != nil }
        if has("incident") {
            return try normalizeMonitoring(FieldReader(document, source: "monitoring"), origin: origin, now: now)
        }
        if has("eventId") || has("eventType") {
            return try normalizeMarketplace(FieldReader(document, source: "marketplace"), origin: origin, now: now)
        }
        if has("tenant_id") || has("metric") {
            return try normalizeSignal(FieldReader(document, source: "signal"), origin: origin, now: now)
        }
        let keys = document.members(of: JSONDocument.root).map { document.string(at: $0.key) }
        let someKeys = keys.sorted().prefix(8).map { JSONValue.string($0).description }
        throw Rejection(
            code: .unknownFormat,
            message: "no known event shape: expected a Pub/Sub envelope (message), a Marketplace notification "
                + "(eventId, eventType), a Monitoring incident (incident, version) or a signal "
                + "(tenant_id, metric, value, timestamp); found keys [\(someKeys.joined(separator: ", "))]"
        )
    }

}

extension JSONDocument {
    /// Parses a document whose top-level value must be an object; `what` names it in the rejection.
    init(parsingObject bytes: [UInt8]?, what: String) throws(Rejection) {
        guard let bytes, !bytes.isEmpty else { throw Rejection(code: .emptyPayload, message: "\(what) is empty") }
        do {
            try self.init(parsing: bytes)
        } catch {
            throw Rejection(code: .invalidJSON, message: "\(what): \(error)")
        }
        guard kind(of: Self.root) == .object else {
            throw Rejection(code: .unknownFormat, message: "\(what) is \(value(at: Self.root)); expected a JSON object")
        }
    }
}
