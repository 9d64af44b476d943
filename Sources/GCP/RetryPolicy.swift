import Foundation

/// When and how long to wait before repeating a failed request: exponential backoff with full jitter
/// ("AWS full jitter": a uniform delay in `0…min(cap, initial × 2^(n-1))`), never shorter than a server's
/// `Retry-After`, and only while the request's overall deadline allows.
public struct RetryPolicy: Sendable, Equatable {
    /// Most attempts of one request, the first included (1…). Default: `5`.
    public var maxAttempts: Int = 5
    /// Upper bound of the first backoff. Default: 200 ms.
    public var initialBackoff: Duration = .milliseconds(200)
    /// Upper bound of any backoff (a `Retry-After` may ask for more). Default: 10 s.
    public var maxBackoff: Duration = .seconds(10)
    /// HTTP statuses worth repeating. Default: 408, 429, 500, 502, 503, 504.
    public var retryableStatuses: Set<Int> = RetryPolicy.defaultRetryableStatuses

    public static let defaultRetryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    public init() {}

    /// The backoff ceiling after failed attempt `attempt` (1-based): `min(maxBackoff, initialBackoff × 2^(attempt-1))`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = self.initialBackoff * (1 << exponent)
        return min(ceiling, self.maxBackoff)
    }

    /// The wait after failed attempt `attempt` (1-based), given a uniform `random` in `0..<1` and the server's
    /// `Retry-After`, if any: the jittered backoff, or the `Retry-After` when that is longer.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, random: Double) -> Duration {
        let jittered = Duration.seconds(self.ceiling(afterAttempt: attempt).seconds * min(max(random, 0), 1))
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }
}

/// The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The wait it asks for, measured from `now` for a date; `nil` for a value that is neither form.
    /// A date in the past asks for no wait.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            // Absurdly long values are capped rather than overflowing.
            return .seconds(Int64(text.prefix(9)) ?? 0)
        }
        for format in httpDateFormats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                let seconds = date.timeIntervalSince(now)
                return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : .zero
            }
        }
        return nil
    }

    /// IMF-fixdate, then the obsolete RFC 850 and asctime forms, which recipients must still accept.
    private static let httpDateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy",
    ]
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
