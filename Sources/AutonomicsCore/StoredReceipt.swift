/// The chain members of a receipt read back from bytes, for ``ReceiptLedger/restore(from:)`` and ``ChainVerifier``.
public struct StoredReceipt {
    var fields: FieldReader
    public var tenantID: String
    var kind: String
    var seq: Int64
    var prevHash: SHA256Hash
    var hash: SHA256Hash

    public init(parsing bytes: [UInt8]) throws(ReceiptError) {
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: bytes)
        } catch {
            throw ReceiptError(message: "receipt: \(error)")
        }
        guard document.kind(of: JSONDocument.root) == .object else {
            throw ReceiptError(message: "receipt is \(document.value(at: JSONDocument.root)); expected an object")
        }
        let fields = FieldReader(document, source: "receipt")
        do throws(Rejection) {
            self.tenantID = try fields.tenantID("tenant_id")
            kind = try fields.requiredString("kind")
            seq = try fields.requiredInteger("seq")
            guard seq >= 1 else { throw fields.invalid("seq", expected: "a number from 1", found: .integer(seq)) }
            prevHash = try Self.hash(fields, "prev_hash")
            hash = try Self.hash(fields, "hash")
        } catch {
            throw ReceiptError(tenantID: fields["tenant_id"]?.stringValue, message: error.message)
        }
        self.fields = fields
    }

    /// The event id when this receipt records an event (other kinds may mention one without being it).
    var recordedEventID: String? {
        kind == "event" ? fields["event_id"]?.stringValue : nil
    }

    var pubsubMessageID: String? {
        fields["pubsub_message_id"]?.stringValue
    }

    /// The `signature` member as written, if any: read only when signatures are checked.
    var signature: JSONValue? {
        fields["signature"]
    }

    /// SHA-256 over the canonical receipt without `hash` and `signature`.
    func recomputedHash() throws(CanonicalJSONError) -> SHA256Hash {
        var content = fields.document.object(at: fields.object)
        content["hash"] = nil
        content["signature"] = nil
        return SHA256Hash(of: try CanonicalJSON.checkedEncode(.object(content)))
    }

    private static func hash(_ fields: FieldReader, _ key: String) throws(Rejection) -> SHA256Hash {
        let text = try fields.requiredString(key)
        guard let hash = SHA256Hash(hex: text) else {
            throw fields.invalid(key, expected: "64 lowercase hex digits", found: .string(text))
        }
        return hash
    }
}
