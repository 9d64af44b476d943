import AutonomicsSamples
import Testing

@testable import AutonomicsCore

@Suite("Normalizer: signals")
struct SignalNormalizationTests {
    @Test("normalizes the sample signal")
    func sample() throws {
        let event = try Fixtures.normalize(SampleEvents.signal).get()
        #expect(
            event
                == NormalizedEvent(
                    tenantID: "9e7c4d2a-5b1f-4e8a-b3c6-1d0f2e4a6b8c",
                    tenantResolution: "signal.tenant_id",
                    // sha256("<tenant>\0cpu_utilization\0359033946"), computed with Python's hashlib.
                    eventID: "signal-8b720957d8f1f0a870671ae2744d22d17a086464464dde8481ff770a92e81002",
                    eventType: "signal.cpu_utilization",
                    format: .signal,
                    eventTime: 1_795_169_730_250,
                    data: ["metric": "cpu_utilization", "value": "87.5"],
                    origin: Fixtures.origin
                )
        )
    }

    enum Outcome: Sendable, Equatable {
        case accepted(String)
        case rejected(RejectionCode)
    }

    static let values: [(value: String, outcome: Outcome)] = [
        ("0", .accepted("0")),
        ("100", .accepted("100")),
        ("0.835", .accepted("0.835")),
        ("-0", .accepted("-0")),
        ("1e2", .accepted("1e2")),
        ("100.0000", .accepted("100.0000")),
        ("100.0001", .rejected(.valueOutOfRange)),
        ("100.00000000000000000001", .rejected(.valueOutOfRange)),
        ("1.0000001e2", .rejected(.valueOutOfRange)),
        ("-0.0001", .rejected(.valueOutOfRange)),
        ("-1", .rejected(.valueOutOfRange)),
        ("1e400", .rejected(.valueOutOfRange)),
        (#""42""#, .rejected(.invalidField)),
        ("true", .rejected(.invalidField)),
        ("[42]", .rejected(.invalidField)),
    ]

    @Test("value is a number in 0–100, compared exactly, kept as its lexeme", arguments: values)
    func value(value: String, outcome: Outcome) {
        switch Fixtures.normalize(Fixtures.signal(value: value)) {
        case .success(let event): #expect(outcome == .accepted(event.data["value"]?.stringValue ?? "?"))
        case .failure(let rejection): #expect(outcome == .rejected(rejection.code))
        }
    }

    @Test("value messages name the field and show what was found")
    func valueMessages() {
        #expect(
            Fixtures.normalize(Fixtures.signal(value: #""abc""#)).rejection
                == Rejection(
                    code: .invalidField,
                    message: #"signal field "value": expected a number 0–100, found "abc""#
                )
        )
        #expect(
            Fixtures.normalize(Fixtures.signal(value: "100.0001")).rejection
                == Rejection(
                    code: .valueOutOfRange,
                    message: #"signal field "value": expected a number 0–100, found 100.0001"#
                )
        )
    }

    static let tenantIDs: [(tenantID: String, outcome: Outcome)] = [
        (#""acme""#, .accepted("acme")),
        ("\"" + String(repeating: "a", count: 256) + "\"", .accepted(String(repeating: "a", count: 256))),
        ("\"" + String(repeating: "a", count: 257) + "\"", .rejected(.invalidTenantID)),
        (#""tenant with spaces ~!""#, .accepted("tenant with spaces ~!")),
        (#""""#, .rejected(.invalidTenantID)),
        (#""café""#, .rejected(.invalidTenantID)),
        (#""caf\u00e9""#, .rejected(.invalidTenantID)),
        (#""a\u0000b""#, .rejected(.invalidTenantID)),
        (#""a\nb""#, .rejected(.invalidTenantID)),
        (#""a\u001fb""#, .rejected(.invalidTenantID)),
        (#""a\u007fb""#, .rejected(.invalidTenantID)),
        ("42", .rejected(.invalidTenantID)),
        ("null", .rejected(.missingField)),
    ]

    @Test("tenant_id is 1–256 printable ASCII characters", arguments: tenantIDs)
    func tenantID(tenantID: String, outcome: Outcome) {
        switch Fixtures.normalize(Fixtures.signal(tenantID: tenantID)) {
        case .success(let event): #expect(outcome == .accepted(event.tenantID))
        case .failure(let rejection): #expect(outcome == .rejected(rejection.code))
        }
    }

    static let timestamps: [(timestamp: String, outcome: Outcome)] = [
        (#""2026-11-20T13:00:00Z""#, .accepted("2026-11-20T13:00:00.000Z")),  // exactly now + 1 h
        (#""2026-11-20T14:00:00+01:00""#, .accepted("2026-11-20T13:00:00.000Z")),
        (#""2026-11-20T13:00:00.001Z""#, .rejected(.timestampInFuture)),
        (#""2026-11-20T13:00:01Z""#, .rejected(.timestampInFuture)),
        (#""2026-11-20T11:59:59.123456Z""#, .accepted("2026-11-20T11:59:59.123Z")),
        ("1795179600", .accepted("2026-11-20T13:00:00.000Z")),
        ("1795179601", .rejected(.timestampInFuture)),
        ("0", .accepted("1970-01-01T00:00:00.000Z")),
        ("1795176000000", .rejected(.invalidTimestamp)),  // milliseconds: beyond year 9999 as seconds
        ("1795176000.5", .rejected(.invalidTimestamp)),
        ("1.7e9", .rejected(.invalidTimestamp)),
        ("-1", .rejected(.invalidTimestamp)),
        (#""1795176000""#, .rejected(.invalidTimestamp)),
        (#""yesterday""#, .rejected(.invalidTimestamp)),
        // Outside years 0000–9999 once in UTC: not RFC 3339 there, so as bad as any other text.
        (#""0000-01-01T00:00:00+23:59""#, .rejected(.invalidTimestamp)),
        (#""9999-12-31T23:59:59.999-23:59""#, .rejected(.invalidTimestamp)),
        (#""0000-01-01T00:00:00-00:01""#, .accepted("0000-01-01T00:01:00.000Z")),
        ("true", .rejected(.invalidTimestamp)),
        ("{}", .rejected(.invalidTimestamp)),
    ]

    @Test("timestamp is RFC 3339 or epoch seconds, at most 1 h ahead of now", arguments: timestamps)
    func timestamp(timestamp: String, outcome: Outcome) {
        switch Fixtures.normalize(Fixtures.signal(timestamp: timestamp)) {
        case .success(let event): #expect(outcome == .accepted(RFC3339.format(milliseconds: event.eventTime)))
        case .failure(let rejection): #expect(outcome == .rejected(rejection.code))
        }
    }

    @Test("the future skew comes from the settings")
    func configuredSkew() {
        var settings = IntakeSettings()
        settings.signalMaxFutureSkewSeconds = 0
        let atNow = Fixtures.signal(timestamp: #""2026-11-20T12:00:00Z""#)
        let aheadOfNow = Fixtures.signal(timestamp: #""2026-11-20T12:00:00.001Z""#)
        #expect(throws: Never.self) { try Fixtures.normalize(atNow, settings: settings).get() }
        #expect(
            Fixtures.normalize(aheadOfNow, settings: settings).rejection
                == Rejection(
                    code: .timestampInFuture,
                    message: #"signal field "timestamp": 2026-11-20T12:00:00.001Z is more than 0 s after now "#
                        + "(2026-11-20T12:00:00.000Z)"
                )
        )
    }

    @Test("metric must be known; the known set comes from the settings")
    func metric() throws {
        let disk = Fixtures.signal(metric: #""disk_utilization""#)
        #expect(
            Fixtures.normalize(disk).rejection
                == Rejection(
                    code: .unknownMetric,
                    message: #"signal field "metric": expected one of concurrency_utilization, cpu_utilization, "#
                        + #"error_rate, memory_utilization, found "disk_utilization""#
                )
        )
        var settings = IntakeSettings()
        settings.knownMetrics.insert("disk_utilization")
        #expect(try Fixtures.normalize(disk, settings: settings).get().eventType == "signal.disk_utilization")
        #expect(Fixtures.normalize(Fixtures.signal(metric: "7")).rejection?.code == .invalidField)
    }

    static let missingMembers: [(json: String, field: String)] = [
        (Fixtures.signal(tenantID: nil), "tenant_id"),
        (Fixtures.signal(metric: nil), "metric"),
        (Fixtures.signal(value: nil), "value"),
        (Fixtures.signal(timestamp: nil), "timestamp"),
    ]

    @Test("every member is required", arguments: missingMembers)
    func missing(json: String, field: String) {
        #expect(
            Fixtures.normalize(json).rejection
                == Rejection(code: .missingField, message: "signal field \"\(field)\" is missing")
        )
    }

    @Test("the event id is shared within a 5-second window per tenant and metric")
    func eventIDWindow() throws {
        func eventID(
            tenantID: String = #""acme""#,
            metric: String = #""cpu_utilization""#,
            _ timestamp: String
        ) throws
            -> String
        {
            try Fixtures.normalize(Fixtures.signal(tenantID: tenantID, metric: metric, timestamp: timestamp)).get()
                .eventID
        }
        let windowStart = try eventID(#""2026-11-20T11:00:00Z""#)
        #expect(try eventID(#""2026-11-20T11:00:04.999Z""#) == windowStart)
        #expect(try eventID("1795172400") == windowStart)  // the same instant as epoch seconds
        #expect(try eventID(#""2026-11-20T11:00:05Z""#) != windowStart)
        #expect(try eventID(#""2026-11-20T10:59:59.999Z""#) != windowStart)
        #expect(try eventID(tenantID: #""acme2""#, #""2026-11-20T11:00:00Z""#) != windowStart)
        #expect(try eventID(metric: #""error_rate""#, #""2026-11-20T11:00:00Z""#) != windowStart)
        #expect(windowStart.hasPrefix("signal-") && windowStart.utf8.count == 7 + 64)
    }

    @Test("windows before 1970 round down, not toward zero")
    func eventIDBeforeEpoch() {
        let justBefore = Normalizer.signalEventID(tenantID: "t", metric: "m", eventTime: -1)
        #expect(justBefore == Normalizer.signalEventID(tenantID: "t", metric: "m", eventTime: -5000))
        #expect(justBefore != Normalizer.signalEventID(tenantID: "t", metric: "m", eventTime: 0))
    }

    @Test("members beyond the four are ignored")
    func extraMembers() throws {
        let json = #"{"tenant_id":"acme","metric":"error_rate","value":1,"timestamp":0,"host":"vm-1"}"#
        #expect(try Fixtures.normalize(json).get().data == ["metric": "error_rate", "value": "1"])
    }
}
