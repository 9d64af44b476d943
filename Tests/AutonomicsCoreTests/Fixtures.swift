@testable import AutonomicsCore

/// What the normalizer tests share: a fixed clock and origin, and payload builders.
enum Fixtures {
    /// 2026-11-20T12:00:00Z.
    static let now: Int64 = 1_795_176_000_000
    static let origin = EventOrigin(
        topic: "autonomics.events",
        partition: 3,
        offset: 1207,
        timestamp: 1_795_175_999_000
    )

    static func normalize(
        _ json: String,
        settings: IntakeSettings = IntakeSettings(),
        origin: EventOrigin = origin
    ) -> Result<NormalizedEvent, Rejection> {
        Normalizer(settings: settings).normalize(Array(json.utf8), origin: origin, now: now)
    }

    /// A signal whose members are given as JSON fragments; nil leaves the member out.
    static func signal(
        tenantID: String? = #""acme""#,
        metric: String? = #""cpu_utilization""#,
        value: String? = "42",
        timestamp: String? = #""2026-11-20T11:59:00Z""#
    ) -> String {
        let members = [("tenant_id", tenantID), ("metric", metric), ("value", value), ("timestamp", timestamp)]
        return "{" + members.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ")
            + "}"
    }

    /// A Monitoring incident; `members` are more incident members as a JSON fragment starting with ", ".
    static func incident(
        state: String = "open",
        version: String = #""1.2""#,
        members: String = #", "policy_user_labels": {"tenant_id": "acme"}"#
    ) -> String {
        """
        {"version": \(version), "incident": {"incident_id": "0.abc", "state": "\(state)", "started_at": 1795175000\(members)}}
        """
    }

    /// A Marketplace notification; `members` are more top-level members as a JSON fragment starting with ", ".
    static func marketplace(
        eventType: String = "ENTITLEMENT_ACTIVE",
        members: String = #", "entitlement": {"id": "ent-1", "updateTime": "2026-11-20T10:00:00Z"}"#
    ) -> String {
        """
        {"eventId": "evt-1", "eventType": "\(eventType)"\(members)}
        """
    }
}

extension Result where Failure == Rejection {
    var rejection: Rejection? {
        guard case .failure(let rejection) = self else { return nil }
        return rejection
    }
}
