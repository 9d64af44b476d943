/// The Pub/Sub push envelope `{"message":{"data":<base64>,"messageId":…,"attributes":…},"subscription":…}`.
struct PubSubEnvelope {
    /// The decoded `message.data`.
    var data: [UInt8]
    /// `message.messageId`, or its snake_case twin `message.message_id`.
    var messageID: String?

    /// Whether `document` has the envelope's shape: a `message` object.
    static func isEnvelope(_ document: JSONDocument) -> Bool {
        guard let message = document.member("message", of: JSONDocument.root) else { return false }
        return document.kind(of: message) == .object
    }

    /// - Throws: ``RejectionCode/invalidEnvelope`` or ``RejectionCode/invalidBase64``.
    init(_ document: JSONDocument) throws(Rejection) {
        let encodedData: Int
        do throws(Rejection) {
            let message = try FieldReader(document, source: "Pub/Sub envelope").requiredObject("message")
            guard let node = try message.optionalStringNode("data") else { throw message.missing("data") }
            encodedData = node
            let camelCaseID = try message.optionalString("messageId")
            let snakeCaseID = try message.optionalString("message_id")
            if let camelCaseID, let snakeCaseID, camelCaseID != snakeCaseID {
                throw message.invalid("message_id", expected: "the same id as messageId", found: .string(snakeCaseID))
            }
            messageID = camelCaseID ?? snakeCaseID
        } catch {
            throw Rejection(code: .invalidEnvelope, message: error.message)
        }
        guard let data = document.withUTF8(of: encodedData, Base64.decode) else {
            throw Rejection(
                code: .invalidBase64,
                message:
                    "Pub/Sub envelope field \"message.data\": expected base64, found \(document.value(at: encodedData))"
            )
        }
        self.data = data
    }
}
