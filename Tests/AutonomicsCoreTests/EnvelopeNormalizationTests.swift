import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("Normalizer: Pub/Sub envelopes and unknown input")
struct EnvelopeNormalizationTests {
    private static func envelope(message: String) -> String {
        #"{"message": \#(message), "subscription": "projects/p/subscriptions/s"}"#
    }

    private static let signalData = Base64.encode(Array(Fixtures.signal().utf8))

    @Test("an enveloped event equals the raw one plus the message id")
    func unwraps() throws {
        let raw = try Fixtures.normalize(Fixtures.signal()).get()
        let wrapped = try Fixtures.normalize(SampleEvents.pubSubEnvelope(wrapping: Fixtures.signal(), messageID: "m-1"))
            .get()
        var expected = raw
        expected.pubsubMessageID = "m-1"
        #expect(wrapped == expected)
    }

    static let messageIDs: [(message: String, messageID: String?)] = [
        (#"{"data": "\#(signalData)", "messageId": "m-1", "message_id": "m-1"}"#, "m-1"),
        (#"{"data": "\#(signalData)", "messageId": "m-1"}"#, "m-1"),
        (#"{"data": "\#(signalData)", "message_id": "m-2"}"#, "m-2"),
        (#"{"data": "\#(signalData)"}"#, nil),
        (#"{"data": "\#(signalData)", "attributes": {"k": "v"}, "publishTime": "2026-11-20T10:00:00Z"}"#, nil),
    ]

    @Test("the message id is read in either spelling", arguments: messageIDs)
    func messageID(message: String, messageID: String?) throws {
        #expect(try Fixtures.normalize(Self.envelope(message: message)).get().pubsubMessageID == messageID)
    }

    @Test("data may be URL-safe base64 without padding")
    func urlSafeData() throws {
        let standard = Base64.encode(
            Array(
                #"{"tenant_id":"a","metric":"error_rate","value":1,"timestamp":"2026-11-20T11:00:00Z","x":"??>"}"#.utf8
            )
        )
        #expect(standard.contains("/") || standard.contains("+"))
        let urlSafe = String(standard.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" })
        let event = try Fixtures.normalize(Self.envelope(message: #"{"data": "\#(urlSafe)"}"#)).get()
        #expect(event.tenantID == "a")
    }

    static let invalid: [(json: String, code: RejectionCode, message: String)] = [
        (
            envelope(message: #"{"messageId": "m-1"}"#), .invalidEnvelope,
            #"Pub/Sub envelope field "message.data" is missing"#
        ),
        (
            envelope(message: #"{"data": 42}"#), .invalidEnvelope,
            #"Pub/Sub envelope field "message.data": expected a string, found 42"#
        ),
        (
            envelope(message: #"{"data": "\#(signalData)", "messageId": "m-1", "message_id": "m-2"}"#),
            .invalidEnvelope,
            #"Pub/Sub envelope field "message.message_id": expected the same id as messageId, found "m-2""#
        ),
        (
            envelope(message: #"{"data": "not base64!"}"#), .invalidBase64,
            #"Pub/Sub envelope field "message.data": expected base64, found "not base64!""#
        ),
        (envelope(message: #"{"data": ""}"#), .emptyPayload, "the Pub/Sub message data is empty"),
        (
            envelope(message: #"{"data": "\#(Base64.encode(Array("{".utf8)))"}"#), .invalidJSON,
            "the Pub/Sub message data: invalid JSON at byte 1: expected a string key, found the end of the input"
        ),
        (
            envelope(message: #"{"data": "\#(Base64.encode(Array("[1]".utf8)))"}"#), .unknownFormat,
            "the Pub/Sub message data is an array; expected a JSON object"
        ),
        (
            envelope(
                message:
                    #"{"data": "\#(Base64.encode(Array(envelope(message: #"{"data": "\#(signalData)"}"#).utf8)))"}"#
            ),
            .invalidEnvelope, "the Pub/Sub message data is itself an envelope"
        ),
    ]

    @Test("rejects broken envelopes", arguments: invalid)
    func rejectsEnvelope(json: String, code: RejectionCode, message: String) {
        #expect(Fixtures.normalize(json).rejection == Rejection(code: code, message: message))
    }

    @Test("an envelope's inner rejection is the inner event's")
    func innerRejection() {
        let json = SampleEvents.pubSubEnvelope(wrapping: Fixtures.signal(value: "101"), messageID: "m-1")
        #expect(Fixtures.normalize(json).rejection?.code == .valueOutOfRange)
    }

    @Test("a record without a value, or with an empty one, is an empty payload")
    func emptyPayload() {
        let expected = Rejection(code: .emptyPayload, message: "the record value is empty")
        #expect(Normalizer().normalize(nil, origin: Fixtures.origin, now: Fixtures.now).rejection == expected)
        #expect(Normalizer().normalize([], origin: Fixtures.origin, now: Fixtures.now).rejection == expected)
    }

    static let unknown: [(json: String, code: RejectionCode)] = [
        ("{", .invalidJSON),
        ("   ", .invalidJSON),
        ("[1]", .unknownFormat),
        (#""text""#, .unknownFormat),
        (#"{"foo": 1}"#, .unknownFormat),
        (#"{"message": "hello"}"#, .unknownFormat),  // a message that is not an object is not an envelope
        (#"{"value": 5, "timestamp": 0}"#, .unknownFormat),
    ]

    @Test("rejects what is not JSON or of no known shape", arguments: unknown)
    func rejectsUnknown(json: String, code: RejectionCode) {
        #expect(Fixtures.normalize(json).rejection?.code == code)
    }

    @Test("an unknown shape's message lists what was expected and the keys found")
    func unknownMessage() {
        #expect(
            Fixtures.normalize(#"{"foo": 1, "bar\n": 2}"#).rejection?.message
                == "no known event shape: expected a Pub/Sub envelope (message), a Marketplace notification (eventId, "
                + "eventType), a Monitoring incident (incident, version) or a signal (tenant_id, metric, value, "
                + #"timestamp); found keys ["bar\n", "foo"]"#
        )
    }
}
