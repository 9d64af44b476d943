/// RFC 3339 timestamps ↔ milliseconds since the Unix epoch, proleptic Gregorian calendar, no leap seconds.
///
/// Written by hand because it runs for every event and receipt; Foundation's formatters are far slower.
public enum RFC3339 {
    /// 0000-01-01T00:00:00.000Z through 9999-12-31T23:59:59.999Z, the times RFC 3339 can write.
    public static let representableMilliseconds: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`T` and `Z` in either case, any number of fraction
    /// digits, truncated to milliseconds). Returns nil for anything else, including impossible dates, second 60
    /// (Google's clocks smear leap seconds) and times outside ``representableMilliseconds``: an offset can move
    /// a time in year 0000 or 9999 out of those years in UTC, where ``format(milliseconds:)`` could not write it.
    public static func parse(_ text: String) -> Int64? {
        text.withUTF8Bytes { parse(utf8: $0) }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC. Years outside 0000–9999 come out with more digits or a sign.
    public static func format(milliseconds: Int64) -> String {
        String(unsafeUninitializedCapacity: maximumLength) { write(milliseconds: milliseconds, to: $0) }
    }

    /// The longest text ``format(milliseconds:)`` makes, for any `Int64`.
    static let maximumLength = 32

    /// Writes ``format(milliseconds:)``'s text to the start of `buffer` (at least ``maximumLength`` bytes) and
    /// returns its length: straight into the output, as this runs twice for every receipt.
    static func write(milliseconds: Int64, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let (days, millisecondOfDay) = milliseconds.floorDivided(by: 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let secondOfDay = millisecondOfDay / 1000
        var position = 0
        func write(_ value: Int64, digits minimumDigits: Int, then separator: Unicode.Scalar) {
            var digits = 1
            var limit: Int64 = 10
            while digits < minimumDigits || value >= limit {
                digits += 1
                limit *= 10
            }
            var remaining = value
            for index in (position..<position + digits).reversed() {
                buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            buffer[position + digits] = UInt8(ascii: separator)
            position += digits + 1
        }
        if year < 0 {
            buffer[0] = UInt8(ascii: "-")
            position = 1
        }
        write(abs(year), digits: 4, then: "-")
        write(month, digits: 2, then: "-")
        write(day, digits: 2, then: "T")
        write(secondOfDay / 3600, digits: 2, then: ":")
        write(secondOfDay / 60 % 60, digits: 2, then: ":")
        write(secondOfDay % 60, digits: 2, then: ".")
        write(millisecondOfDay % 1000, digits: 3, then: "Z")
        return position
    }

    private static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cursor = Cursor(bytes: bytes)
        guard let year = cursor.digits(4), cursor.skip("-"),
            let month = cursor.digits(2), cursor.skip("-"),
            let day = cursor.digits(2), cursor.skip("T") || cursor.skip("t"),
            let hour = cursor.digits(2), cursor.skip(":"),
            let minute = cursor.digits(2), cursor.skip(":"),
            let second = cursor.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }

        var millisecond: Int64 = 0
        if cursor.skip(".") {
            var count = 0
            while let digit = cursor.digits(1) {
                if count < 3 { millisecond = millisecond * 10 + digit }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { millisecond *= 10 }
        }

        var offsetMinutes: Int64 = 0
        if !(cursor.skip("Z") || cursor.skip("z")) {
            let sign: Int64
            if cursor.skip("+") {
                sign = 1
            } else if cursor.skip("-") {
                sign = -1
            } else {
                return nil
            }
            guard let offsetHour = cursor.digits(2), cursor.skip(":"), let offsetMinute = cursor.digits(2),
                offsetHour < 24, offsetMinute < 60
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        }
        guard cursor.isAtEnd else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        let milliseconds = seconds * 1000 + millisecond
        return representableMilliseconds.contains(milliseconds) ? milliseconds : nil
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        /// Exactly `count` decimal digits, or nil (consuming nothing).
        mutating func digits(_ count: Int) -> Int64? {
            guard position + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[position..<position + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil and civil_from_days (http://howardhinnant.github.io/date_algorithms.html):
    // exact for every year, no tables, no loops.

    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Quotient rounded toward negative infinity and a remainder in `0..<divisor` (for times before 1970).
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}
