import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("Sample events")
struct SampleEventsTests {
    @Test("every sample is strict JSON and normalizes", arguments: SampleEvents.all.map(\.name))
    func normalizes(name: String) throws {
        let json = try #require(SampleEvents.all.first { $0.name == name }?.json)
        #expect(throws: Never.self) { try JSONValue.parse(Array(json.utf8)) }
        let event = try Fixtures.normalize(json).get()
        #expect(
            event.tenantID == SampleEvents.tenantID || event.tenantID == "entitlement:\(SampleEvents.entitlementID)"
        )
        #expect((event.pubsubMessageID != nil) == name.hasSuffix("-envelope"))
    }

    @Test(
        "each raw sample has an envelope twin that normalizes to the same event",
        arguments: SampleEvents.all.filter { !$0.name.hasSuffix("-envelope") }.map(\.name)
    )
    func envelopeTwin(name: String) throws {
        let raw = try #require(SampleEvents.all.first { $0.name == name }?.json)
        let wrapped = try #require(SampleEvents.all.first { $0.name == name + "-envelope" }?.json)
        var expected = try Fixtures.normalize(raw).get()
        let event = try Fixtures.normalize(wrapped).get()
        expected.pubsubMessageID = event.pubsubMessageID
        #expect(event == expected)
    }

    @Test("each invalid sample earns the dead-letter code its name gives", arguments: SampleEvents.invalid.map(\.name))
    func invalidSample(name: String) throws {
        let json = try #require(SampleEvents.invalid.first { $0.name == name }?.json)
        guard case .failure(let rejection) = Fixtures.normalize(json) else {
            Issue.record("\(name) was accepted")
            return
        }
        #expect("dlq-" + rejection.code.rawValue.replacing("_", with: "-") == name)
    }

    @Test("names are unique and cover every format, raw and wrapped")
    func coverage() throws {
        let names = SampleEvents.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count == 14)
        let formats = try SampleEvents.all.map { try Fixtures.normalize($0.json).get().format }
        #expect(Set(formats) == Set(EventFormat.allCases))
    }

    @Test("an envelope carries the base64 of the exact payload and both id spellings")
    func envelopeShape() throws {
        let envelope = try JSONValue.parse(Array(SampleEvents.pubSubEnvelope(wrapping: "{}", messageID: "42").utf8))
        #expect(envelope["message"]?["data"] == "e30=")
        #expect(envelope["message"]?["messageId"] == "42")
        #expect(envelope["message"]?["message_id"] == "42")
        #expect(envelope["subscription"]?.stringValue?.hasPrefix("projects/") == true)
    }
}
