/// A tenant event read back from the tenant-events topic: every member checked as ``NormalizedEvent`` requires, but
/// left in the parsed document, so that the receipt stage copies the members into the receipt as they stand
/// (they are canonical JSON already when the intake wrote them) instead of decoding and encoding them again.
public struct ParsedTenantEvent {
    let document: JSONDocument
    public let tenantID: String
    let format: EventFormat
    let eventTime: Int64
    let origin: Origin
    // Nodes of the members that are copied.
    let data: Int
    let eventID: Int
    let eventType: Int
    let formatName: Int
    let tenantResolution: Int
    let pubsubMessageID: Int?

    struct Origin {
        var partition: Int32
        var offset: Int64
        var timestamp: Int64?
        /// The node of the topic name.
        var topic: Int
    }

    /// - Throws: a ``Rejection`` with code ``RejectionCode/invalidTenantEvent``.
    public init(decoding bytes: [UInt8]) throws(Rejection) {
        do throws(Rejection) {
            try self.init(FieldReader(JSONDocument(parsingObject: bytes, what: "tenant event"), source: "tenant event"))
        } catch {
            throw Rejection(code: .invalidTenantEvent, message: error.message)
        }
    }

    private init(_ fields: FieldReader) throws(Rejection) {
        document = fields.document
        let originFields = try fields.requiredObject("origin")
        let partition = try originFields.requiredInteger("partition")
        guard let partition = Int32(exactly: partition) else {
            throw originFields.invalid("partition", expected: "a 32-bit partition number", found: .integer(partition))
        }
        origin = Origin(
            partition: partition,
            offset: try originFields.requiredInteger("offset"),
            timestamp: try originFields.optionalInteger("timestamp"),
            topic: try originFields.requiredStringNode("topic"))
        formatName = try fields.requiredStringNode("format")
        guard let format = EventFormat(rawValue: document.string(at: formatName)) else {
            throw fields.invalid("format", expected: "signal, marketplace or monitoring", foundAt: formatName)
        }
        self.format = format
        tenantID = try fields.tenantID("tenant_id")
        tenantResolution = try fields.requiredStringNode("tenant_resolution")
        eventID = try fields.requiredStringNode("event_id")
        eventType = try fields.requiredStringNode("event_type")
        pubsubMessageID = try fields.optionalStringNode("pubsub_message_id")
        let eventTime = try fields.requiredInteger("event_time")
        // Receipts write it in RFC 3339, which cannot hold other years.
        guard RFC3339.representableMilliseconds.contains(eventTime) else {
            let expected = "milliseconds since the epoch within years 0000–9999"
            throw fields.invalid("event_time", expected: expected, found: .integer(eventTime))
        }
        self.eventTime = eventTime
        data = try Self.checkData(fields.requiredObject("data"))
    }

    /// Strings, booleans and canonical integers only, as ``NormalizedEvent/encoded()`` writes.
    private static func checkData(_ fields: FieldReader) throws(Rejection) -> Int {
        let document = fields.document
        for (key, value) in document.members(of: fields.object) {
            switch document.kind(of: value) {
            case .string, .true, .false: continue
            case .number where document.withUTF8(of: value, CanonicalJSON.integer(canonical:)) != nil: continue
            default:
                throw fields.invalid(document.string(at: key), expected: "a string, a boolean or an integer", foundAt: value)
            }
        }
        return fields.object
    }
}
