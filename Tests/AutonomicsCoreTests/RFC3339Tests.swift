import Testing

@testable import AutonomicsCore

@Suite("RFC 3339")
struct RFC3339Tests {
    static let valid: [(text: String, milliseconds: Int64)] = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.001Z", 1),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2026-11-20T10:15:30.250Z", 1_795_169_730_250),
        ("2026-11-20T10:15:30.25Z", 1_795_169_730_250),
        ("2026-11-20T10:15:30.123456789Z", 1_795_169_730_123),
        ("2026-11-20T12:15:30.250+02:00", 1_795_169_730_250),
        ("2026-11-20T05:15:30.250-05:00", 1_795_169_730_250),
        ("2026-11-20T10:15:30.250-00:00", 1_795_169_730_250),
        ("2026-11-20t10:15:30.250z", 1_795_169_730_250),
        ("2000-02-29T00:00:00Z", 951_782_400_000),
        ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ]

    @Test("parses to milliseconds since the epoch", arguments: valid)
    func parses(text: String, milliseconds: Int64) {
        #expect(RFC3339.parse(text) == milliseconds)
    }

    static let invalid = [
        "", "2026-11-20", "2026-11-20T10:15:30", "2026-11-20 10:15:30Z", "2026-11-20T10:15Z", "2026-11-20T10:15:30.Z",
        "2026-11-20T10:15:30+0200", "2026-11-20T10:15:30+02", "2026-11-20T10:15:30+24:00", "2026-11-20T10:15:30Zjunk",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-00T00:00:00Z",
        "2100-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z",
        "2026-11-20T10:15:60Z", "26-11-20T10:15:30Z", "+2026-11-20T10:15:30Z", "2026-11-2OT10:15:30Z", "yesterday",
        // Found by fuzzing: the offset moves these out of years 0000–9999 in UTC, where receipts once carried them
        // as "-0001-12-31T00:01:00.000Z" and "10000-01-01T23:58:59.999Z", which are not RFC 3339.
        "0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999-23:59",
        "0000-01-01T23:58:59.999+23:59", "9999-12-31T00:01:00-23:59",
    ]

    @Test("rejects anything else", arguments: invalid)
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    static let formatted: [(milliseconds: Int64, text: String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1_795_169_730_250, "2026-11-20T10:15:30.250Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (951_868_799_999, "2000-02-29T23:59:59.999Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800_000, "10000-01-01T00:00:00.000Z"),
        (-62_167_219_200_001, "-0001-12-31T23:59:59.999Z"),
    ]

    @Test("formats UTC with milliseconds", arguments: formatted)
    func formats(milliseconds: Int64, text: String) {
        #expect(RFC3339.format(milliseconds: milliseconds) == text)
    }

    @Test("the representable range is exactly what parses")
    func representableRange() {
        let range = RFC3339.representableMilliseconds
        #expect(RFC3339.parse("0000-01-01T00:00:00Z") == range.lowerBound)
        #expect(RFC3339.parse("9999-12-31T23:59:59.999Z") == range.upperBound)
        // The range is in UTC: with an offset, a time in year 0000 or 9999 may still fall within it.
        #expect(RFC3339.parse("0000-01-01T23:59:00+23:59") == range.lowerBound)
        #expect(RFC3339.parse("9999-12-31T00:00:59.999-23:59") == range.upperBound)
        #expect(RFC3339.parse("0000-01-01T00:00:00-00:01") == range.lowerBound + 60_000)
        #expect(RFC3339.parse("9999-12-31T23:59:59.999+00:01") == range.upperBound - 60_000)
    }

    @Test("format then parse is the identity across four centuries")
    func roundTrips() {
        // A step just short of ten days walks through every time of day, day of the month and leap rule.
        let times = stride(from: Int64(-6_000_000_000_000), to: 7_000_000_000_000, by: 863_999_997)
        let mismatches = times.filter { RFC3339.parse(RFC3339.format(milliseconds: $0)) != $0 }
        #expect(mismatches.isEmpty)
    }
}
