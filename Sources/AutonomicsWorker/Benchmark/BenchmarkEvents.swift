import Foundation

/// The benchmark's input: a deterministic, realistic mix of raw events, made on the fly so that the load generator
/// holds no event set in memory.
///
/// Per 1,000 events: 1 invalid (dead-lettered), 100 Marketplace notifications (account and entitlement events),
/// 100 Cloud Monitoring incidents, 799 signals; one valid event in ten is wrapped in a Pub/Sub push envelope.
/// Every valid event is distinct (no duplicates): event `index` goes to tenant `index % tenants`, and that tenant's
/// k-th signal falls in its own 5-second window.
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

    static func kind(of index: Int) -> Kind {
        switch index % 1000 {
        case 0: .invalid
        case 1...100: .marketplace
        case 101...200: .monitoring
        default: .signal
        }
    }

    /// How many of the events `range` are valid, so receive a receipt.
    static func validCount(in range: Range<Int>) -> Int {
        range.count - (range.lowerBound..<range.upperBound).lazy.filter { kind(of: $0) == .invalid }.count
    }

    func value(of index: Int) -> [UInt8] {
        let tenant = "bench-\(runID)-\(index % tenants)"
        let json: String
        switch Self.kind(of: index) {
        case .invalid:
            return Array(#"{"tenant_id":"\#(tenant)","metric":"cpu_utilization","value":"high"}"#.utf8)
        case .signal:
            let metrics = ["cpu_utilization", "memory_utilization", "error_rate", "concurrency_utilization"]
            let second = firstSignalSecond + Int64(index / tenants) * 5
            json = #"{"tenant_id":"\#(tenant)","metric":"\#(metrics[index % 4])","value":\#(index % 100).\#(index % 10),"timestamp":\#(second)}"#
        case .marketplace where index % 2 == 0:
            json = #"{"eventId":"ACCOUNT_ACTIVE-\#(runID)-\#(index)","eventType":"ACCOUNT_ACTIVE","providerId":"bench-provider","account":{"id":"\#(tenant)","updateTime":"2026-11-20T10:05:12Z"}}"#
        case .marketplace:
            json = #"{"eventId":"ENTITLEMENT_ACTIVE-\#(runID)-\#(index)","eventType":"ENTITLEMENT_ACTIVE","providerId":"bench-provider","entitlement":{"id":"\#(tenant)","updateTime":"2026-11-20T10:05:12Z","newPlan":"standard"}}"#
        case .monitoring:
            let state = index % 2 == 0 ? "open" : "closed"
            json = #"{"version":"1.2","incident":{"incident_id":"0.bench\#(runID)\#(index)","scoping_project_id":"bench-project","scoping_project_number":12345,"state":"\#(state)","started_at":1795169730,"ended_at":null,"policy_name":"Latency SLO","condition_name":"p99 latency above 500 ms","observed_value":"0.71","threshold_value":"0.5","resource":{"type":"cloud_run_revision","labels":{"service_name":"api","location":"us-central1"}},"policy_user_labels":{"tenant_id":"\#(tenant)"},"summary":"p99 latency for api is above the threshold."}}"#
        }
        guard index % 10 == 3 else { return Array(json.utf8) }
        let data = Data(json.utf8).base64EncodedString()
        return Array(#"{"message":{"data":"\#(data)","attributes":{},"messageId":"bench-\#(runID)-\#(index)","publishTime":"2026-11-20T10:15:31.042Z"},"subscription":"projects/bench/subscriptions/events"}"#.utf8)
    }
}
