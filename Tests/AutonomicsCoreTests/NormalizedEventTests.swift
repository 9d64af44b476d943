import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("NormalizedEvent encoding")
struct NormalizedEventTests {
    static let event = NormalizedEvent(
        tenantID: "acme",
        tenantResolution: "signal.tenant_id",
        eventID: "signal-00",
        eventType: "signal.cpu_utilization",
        format: .signal,
        pubsubMessageID: "m-1",
        eventTime: 1_795_169_730_250,
        data: ["metric": "cpu_utilization", "value": "87.5", "count": 3, "flag": false],
        origin: EventOrigin(topic: "autonomics.events", partition: 3, offset: 1207, timestamp: 1_795_169_731_000)
    )

    @Test("encodes as canonical JSON")
    func golden() {
        let expected =
            #"{"data":{"count":3,"flag":false,"metric":"cpu_utilization","value":"87.5"},"#
            + #""event_id":"signal-00","event_time":1795169730250,"event_type":"signal.cpu_utilization","#
            + #""format":"signal","origin":{"offset":1207,"partition":3,"timestamp":1795169731000,"#
            + #""topic":"autonomics.events"},"pubsub_message_id":"m-1","tenant_id":"acme","#
            + #""tenant_resolution":"signal.tenant_id"}"#
        #expect(String(decoding: Self.event.encoded(), as: UTF8.self) == expected)
    }

    @Test("decoding inverts encoding, optional members absent too")
    func roundTrip() throws {
        #expect(try NormalizedEvent(decoding: Self.event.encoded()) == Self.event)
        var bare = Self.event
        bare.pubsubMessageID = nil
        bare.origin.timestamp = nil
        bare.data = [:]
        #expect(try NormalizedEvent(decoding: bare.encoded()) == bare)
    }

    @Test("every sample round-trips", arguments: SampleEvents.all.map(\.name))
    func sampleRoundTrip(name: String) throws {
        let json = try #require(SampleEvents.all.first { $0.name == name }?.json)
        let event = try Fixtures.normalize(json).get()
        #expect(try NormalizedEvent(decoding: event.encoded()) == event)
    }

    static let invalid: [(json: String, message: String)] = [
        ("{", "tenant event: invalid JSON at byte 1: expected a string key, found the end of the input"),
        ("[]", "tenant event is an array; expected a JSON object"),
        (#"{"tenant_id":"acme"}"#, #"tenant event field "origin" is missing"#),
        (
            replacing(#""format":"signal""#, with: #""format":"sms""#),
            #"tenant event field "format": expected signal, marketplace or monitoring, found "sms""#
        ),
        (
            replacing(#""partition":3"#, with: #""partition":2147483648"#),
            #"tenant event field "origin.partition": expected a 32-bit partition number, found 2147483648"#
        ),
        (
            replacing(#""count":3"#, with: #""count":0.5"#),
            #"tenant event field "data.count": expected a string, a boolean or an integer, found 0.5"#
        ),
        (
            replacing(#""count":3"#, with: #""count":{}"#),
            #"tenant event field "data.count": expected a string, a boolean or an integer, found an object"#
        ),
        (
            replacing(#""event_time":1795169730250"#, with: #""event_time":"2026""#),
            #"tenant event field "event_time": expected an integer, found "2026""#
        ),
        (
            replacing(#""event_time":1795169730250"#, with: #""event_time":253402300800000"#),
            #"tenant event field "event_time": expected milliseconds since the epoch within years 0000–9999, "#
                + "found 253402300800000"
        ),
        (
            replacing(#""tenant_id":"acme""#, with: #""tenant_id":"acme\u0000""#),
            #"tenant event field "tenant_id": expected a tenant id of 1–256 printable ASCII characters, found "acme\u0000""#
        ),
    ]

    private static func replacing(_ target: String, with replacement: String) -> String {
        let encoded = String(decoding: event.encoded(), as: UTF8.self)
        precondition(encoded.contains(target), "fixture no longer contains \(target)")
        return encoded.replacingOccurrences(of: target, with: replacement)
    }

    @Test("rejects what encoded() cannot have written", arguments: invalid)
    func rejects(json: String, message: String) {
        #expect(throws: Rejection(code: .invalidTenantEvent, message: message)) {
            try NormalizedEvent(decoding: Array(json.utf8))
        }
    }
}

extension String {
    /// Plain substring replacement, without Foundation.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
