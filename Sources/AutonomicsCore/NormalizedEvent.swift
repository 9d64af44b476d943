/// An input event after validation, with its tenant resolved: the value on the `autonomics.tenant-events` topic.
public struct NormalizedEvent: Sendable, Hashable {
    public var tenantID: String
    /// How the tenant was found, e.g. `"signal.tenant_id"`, `"monitoring.policy_user_labels.tenant_id"`,
    /// `"marketplace.account.id"`, `"procurement.entitlement.account"` (an entitlement event after the intake's
    /// Procurement GET; `"marketplace.entitlement.id:pending_procurement_lookup"` before it, inside the intake only).
    public var tenantResolution: String
    /// The deduplication id: the Marketplace `eventId`; `"<incident_id>/<state>"` for Monitoring;
    /// `"signal-"` + SHA-256 over tenant, metric and 5-second window for a signal.
    public var eventID: String
    /// The Marketplace `eventType`; `"incident.<state>"` for Monitoring; `"signal.<metric>"` for a signal.
    public var eventType: String
    public var format: EventFormat
    /// The Pub/Sub `messageId` when the event came in a push envelope.
    public var pubsubMessageID: String?
    /// When the event happened, in milliseconds since the epoch.
    public var eventTime: Int64
    /// The normalized fields. Values are strings, booleans and integers within ±(2^53 − 1) only (decimals stay
    /// text), so that the event has a canonical encoding; ``encoded()`` traps on anything else.
    public var data: [String: JSONValue]
    public var origin: EventOrigin

    public init(
        tenantID: String,
        tenantResolution: String,
        eventID: String,
        eventType: String,
        format: EventFormat,
        pubsubMessageID: String? = nil,
        eventTime: Int64,
        data: [String: JSONValue],
        origin: EventOrigin
    ) {
        self.tenantID = tenantID
        self.tenantResolution = tenantResolution
        self.eventID = eventID
        self.eventType = eventType
        self.format = format
        self.pubsubMessageID = pubsubMessageID
        self.eventTime = eventTime
        self.data = data
        self.origin = origin
    }

    /// The canonical JSON of this event (RFC 8785), the inverse of ``init(decoding:)``.
    public func encoded() -> [UInt8] {
        var writer = CanonicalWriter(capacity: 512)
        // Members in canonical key order.
        writer.beginObject()
        writer.key("data")
        writer.object(data)
        writer.key("event_id")
        writer.string(eventID)
        writer.key("event_time")
        writer.integer(eventTime)
        writer.key("event_type")
        writer.string(eventType)
        writer.key("format")
        writer.string(format.rawValue)
        writer.key("origin")
        writer.beginObject()
        writer.key("offset")
        writer.integer(origin.offset)
        writer.key("partition")
        writer.integer(Int64(origin.partition))
        if let timestamp = origin.timestamp {
            writer.key("timestamp")
            writer.integer(timestamp)
        }
        writer.key("topic")
        writer.string(origin.topic)
        writer.endObject()
        if let pubsubMessageID {
            writer.key("pubsub_message_id")
            writer.string(pubsubMessageID)
        }
        writer.key("tenant_id")
        writer.string(tenantID)
        writer.key("tenant_resolution")
        writer.string(tenantResolution)
        writer.endObject()
        return writer.bytes
    }

    /// Decodes a value written by ``encoded()``. Unknown members are ignored so that a newer writer can add some.
    /// - Throws: a ``Rejection`` with code ``RejectionCode/invalidTenantEvent``.
    public init(decoding bytes: [UInt8]) throws(Rejection) {
        self.init(try ParsedTenantEvent(decoding: bytes))
    }

    init(_ event: ParsedTenantEvent) {
        let document = event.document
        self.init(
            tenantID: event.tenantID,
            tenantResolution: document.string(at: event.tenantResolution),
            eventID: document.string(at: event.eventID),
            eventType: document.string(at: event.eventType),
            format: event.format,
            pubsubMessageID: event.pubsubMessageID.map(document.string(at:)),
            eventTime: event.eventTime,
            data: document.object(at: event.data),
            origin: EventOrigin(
                topic: document.string(at: event.origin.topic), partition: event.origin.partition,
                offset: event.origin.offset, timestamp: event.origin.timestamp))
    }
}
