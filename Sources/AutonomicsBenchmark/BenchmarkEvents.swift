import AutonomicsWorker
import Foundation

/// The benchmark's input: a deterministic, realistic mix of raw events, made on the fly so that the load generator
/// holds no event set in memory.
///
/// Per 1,000 events: 1 invalid (dead-lettered), about 100 Marketplace notifications (account and entitlement
/// events), about 100 Cloud Monitoring incidents, the rest signals; one valid event in ten is wrapped in a Pub/Sub
/// push envelope.
/// Every valid event is distinct (no duplicates): event `index` goes to tenant `index % tenants`, and that tenant's
/// k-th signal falls in its own 5-second window. An event's kind, metric and value come from a hash of its index, so
/// that each tenant sees the whole mix (its Marketplace events make it active; some of its signals cross the spec's
/// rules, and the governors act) rather than one kind and one value forever.
struct BenchmarkEvents {
    enum Kind { case signal, marketplace, monitoring, invalid }

    let tenants: Int
    let runID: String
    /// Epoch seconds of the first signal window; every window stays in the past.
    let firstSignalSecond: Int64

    init(tenants: Int, totalEvents: Int, runID: String, now: Int64) {
        self.tenants = tenants
        self.runID = runID
        firstSignalSecond = now / 1000 - Int64(totalEvents / tenants + 1) * 5 - 3600
    }

    /// A fixed scramble of the index (SplitMix64's finalizer).
    static func mix(_ index: Int) -> UInt64 {
        var x = UInt64(index) &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// Exactly one event in a thousand is invalid; the others' kinds are drawn by the hash, about 10% each
    /// Marketplace and Monitoring.
    static func kind(of index: Int) -> Kind {
        guard index % 1000 != 0 else { return .invalid }
        switch mix(index) % 1000 {
        case 0..<100: return .marketplace
        case 100..<200: return .monitoring
        default: return .signal
        }
    }

    /// How many of the events `range` are valid, so receive a receipt.
    static func validCount(in range: Range<Int>) -> Int {
        range.count - (range.lowerBound..<range.upperBound).lazy.filter { kind(of: $0) == .invalid }.count
    }

    /// The raw event `index`, written straight into bytes: the generator shares the machine with the worker, so it
    /// must cost little per event.
    func value(of index: Int) -> [UInt8] {
        var json = EventBytes()
        let tenant = index % tenants
        switch Self.kind(of: index) {
        case .invalid:
            json.append(#"{"tenant_id":""#, tenant: tenant, runID: runID)
            json.append(#"","metric":"cpu_utilization","value":"high"}"#)
            return json.bytes
        case .signal:
            json.append(#"{"tenant_id":""#, tenant: tenant, runID: runID)
            json.append(#"","metric":""#)
            let mixed = Self.mix(index)
            json.append(Self.metrics[Int((mixed >> 10) % 4)])
            json.append(#"","value":"#)
            json.append(integer: Int((mixed >> 12) % 100))
            json.append(".")
            json.append(integer: Int((mixed >> 20) % 10))
            json.append(#","timestamp":"#)
            json.append(integer: Int(firstSignalSecond) + index / tenants * 5)
            json.append("}")
        case .marketplace where (Self.mix(index) >> 40) % 2 == 0:
            json.append(#"{"eventId":"ACCOUNT_ACTIVE-"#)
            json.append(runID)
            json.append("-")
            json.append(integer: index)
            json.append(#"","eventType":"ACCOUNT_ACTIVE","providerId":"bench-provider","account":{"id":""#, tenant: tenant, runID: runID)
            json.append(#"","updateTime":"2026-11-20T10:05:12Z"}}"#)
        case .marketplace:
            json.append(#"{"eventId":"ENTITLEMENT_ACTIVE-"#)
            json.append(runID)
            json.append("-")
            json.append(integer: index)
            json.append(#"","eventType":"ENTITLEMENT_ACTIVE","providerId":"bench-provider","entitlement":{"id":""#, tenant: tenant, runID: runID)
            json.append(#"","updateTime":"2026-11-20T10:05:12Z","newPlan":"standard"}}"#)
        case .monitoring:
            json.append(#"{"version":"1.2","incident":{"incident_id":"0.bench"#)
            json.append(runID)
            json.append(integer: index)
            json.append(#"","scoping_project_id":"bench-project","scoping_project_number":12345,"state":""#)
            json.append((Self.mix(index) >> 40) % 2 == 0 ? "open" : "closed")
            json.append(#"","started_at":1795169730,"ended_at":null,"policy_name":"Latency SLO","condition_name":"p99 latency above 500 ms","observed_value":"0.71","threshold_value":"0.5","resource":{"type":"cloud_run_revision","labels":{"service_name":"api","location":"us-central1"}},"policy_user_labels":{"tenant_id":""#, tenant: tenant, runID: runID)
            json.append(#""},"summary":"p99 latency for api is above the threshold."}}"#)
        }
        guard index % 10 == 3 else { return json.bytes }
        var envelope = EventBytes()
        envelope.append(#"{"message":{"data":""#)
        envelope.append(Data(json.bytes).base64EncodedString())
        envelope.append(#"","attributes":{},"messageId":"bench-"#)
        envelope.append(runID)
        envelope.append("-")
        envelope.append(integer: index)
        envelope.append(#"","publishTime":"2026-11-20T10:15:31.042Z"},"subscription":"projects/bench/subscriptions/events"}"#)
        return envelope.bytes
    }

    private static let metrics = ["cpu_utilization", "memory_utilization", "error_rate", "concurrency_utilization"]
}

/// A JSON text built by appending pieces.
private struct EventBytes {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(640)
    }

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// `text`, then the tenant's name.
    mutating func append(_ text: String, tenant: Int, runID: String) {
        append(text)
        append("bench-")
        append(runID)
        append("-")
        append(integer: tenant)
    }

    mutating func append(integer: Int) {
        precondition(integer >= 0, "benchmark numbers are not negative")
        var divisor = 1
        while divisor <= integer / 10 { divisor *= 10 }
        var rest = integer
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
