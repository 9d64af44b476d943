/// Direct signals: `{"tenant_id","metric","value","timestamp"}`. Other members are ignored.
extension Normalizer {
    /// A signal value must lie in 0–100, compared exactly.
    private static let valueRange = DecimalLexeme("0")...DecimalLexeme("100")
    /// Signals for one tenant and metric within this many milliseconds share an event id, so retries collapse.
    static let signalWindowMilliseconds: Int64 = 5000

    func normalizeSignal(_ fields: FieldReader, origin: EventOrigin, now: Int64) throws(Rejection) -> NormalizedEvent {
        let tenantID = try fields.tenantID("tenant_id")
        let metric = try fields.requiredString("metric")
        guard settings.knownMetrics.contains(metric) else {
            let known = settings.knownMetrics.sorted().joined(separator: ", ")
            throw fields.invalid("metric", expected: "one of \(known)", found: .string(metric), code: .unknownMetric)
        }
        let value = try signalValue(fields)
        let eventTime = try signalTime(fields, now: now)
        return NormalizedEvent(
            tenantID: tenantID,
            tenantResolution: "signal.tenant_id",
            eventID: Self.signalEventID(tenantID: tenantID, metric: metric, eventTime: eventTime),
            eventType: "signal." + metric,
            format: .signal,
            eventTime: eventTime,
            data: ["metric": .string(metric), "value": .string(value)],
            origin: origin
        )
    }

    /// The value's exact lexeme.
    private func signalValue(_ fields: FieldReader) throws(Rejection) -> String {
        let expected = "a number 0–100"
        guard let value = fields["value"] else { throw fields.missing("value") }
        guard case .number(let lexeme) = value else { throw fields.invalid("value", expected: expected, found: value) }
        guard Self.valueRange.contains(DecimalLexeme(lexeme)) else {
            throw fields.invalid("value", expected: expected, found: value, code: .valueOutOfRange)
        }
        return lexeme
    }

    /// An RFC 3339 string or integer epoch seconds, at most the allowed skew ahead of `now`, in milliseconds.
    private func signalTime(_ fields: FieldReader, now: Int64) throws(Rejection) -> Int64 {
        guard let value = fields["timestamp"] else { throw fields.missing("timestamp") }
        let parsed: Int64? =
            switch value {
            case .string(let text): RFC3339.parse(text)
            default: FieldReader.epochMilliseconds(fromSeconds: value)
            }
        guard let eventTime = parsed else {
            throw fields.invalid(
                "timestamp",
                expected: "an RFC 3339 time or integer epoch seconds",
                found: value,
                code: .invalidTimestamp
            )
        }
        let skew = settings.signalMaxFutureSkewSeconds
        guard eventTime - now <= skew * 1000 else {
            throw Rejection(
                code: .timestampInFuture,
                message:
                    "signal field \"timestamp\": \(RFC3339.format(milliseconds: eventTime)) is more than \(skew) s "
                    + "after now (\(RFC3339.format(milliseconds: now)))"
            )
        }
        return eventTime
    }

    /// `signal-` + hex SHA-256 over tenant, metric and the 5-second window. NUL separates the parts: neither a
    /// valid tenant id nor a known metric can contain one, so different triples never hash the same input.
    static func signalEventID(tenantID: String, metric: String, eventTime: Int64) -> String {
        var input: [UInt8] = []
        input.reserveCapacity(tenantID.utf8.count + metric.utf8.count + 24)
        input.append(contentsOf: tenantID.utf8)
        input.append(0)
        input.append(contentsOf: metric.utf8)
        input.append(0)
        input.append(contentsOf: String(eventTime.floorDivided(by: signalWindowMilliseconds).quotient).utf8)
        return "signal-" + SHA256Hash(of: input).hex
    }
}
