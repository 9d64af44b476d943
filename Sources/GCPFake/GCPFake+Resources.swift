import Foundation
import Synchronization

extension GCPFake {
    /// Adds a Cloud Run service `projects/P/locations/L/services/S` with `revisionCount` ready revisions
    /// (`S-00001-aaa`, …), traffic 100% to the latest, and service-level scaling.
    public func addService(_ name: String, maxInstanceCount: Int = 10, revisionCount: Int = 2) {
        let short = String(name.split(separator: "/").last ?? "service")
        var latest = ""
        for index in 1...max(revisionCount, 1) {
            let revision = Self.revisionName(service: short, index: index)
            latest = "\(name)/revisions/\(revision)"
            self.put(latest, [
                "service": .string(name), "generation": "1", "createTime": .string("2026-01-0\(min(index, 9))T00:00:00Z"),
                "maxInstanceRequestConcurrency": 80, "scaling": ["maxInstanceCount": 100],
                "conditions": [["type": "Ready", "state": "CONDITION_SUCCEEDED"]],
            ])
        }
        self.put(name, [
            "uid": .string(Self.randomHex(8)), "generation": "1", "observedGeneration": "1", "etag": "\"1\"",
            "scaling": ["minInstanceCount": 0, "maxInstanceCount": .number(Double(maxInstanceCount))],
            "template": ["maxInstanceRequestConcurrency": 80, "scaling": ["maxInstanceCount": 100]],
            "traffic": [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100]],
            "trafficStatuses": [[
                "type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "revision": .string(String(latest.split(separator: "/").last!)),
                "percent": 100,
            ]],
            "latestReadyRevision": .string(latest), "latestCreatedRevision": .string(latest), "reconciling": false,
            "terminalCondition": ["type": "Ready", "state": "CONDITION_SUCCEEDED"], "launchStage": "GA",
        ])
    }

    /// Adds a Cloud Scheduler job `projects/P/locations/L/jobs/J` in `state` (`ENABLED` or `PAUSED`).
    public func addJob(_ name: String, state: String = "ENABLED") {
        self.put(name, [
            "schedule": "*/5 * * * *", "timeZone": "Etc/UTC", "state": .string(state),
            "httpTarget": ["uri": "https://example.com/tick", "httpMethod": "POST"],
            "userUpdateTime": "2026-01-01T00:00:00Z",
        ])
    }

    /// Adds a push subscription `projects/P/subscriptions/S`.
    public func addSubscription(_ name: String, pushEndpoint: String = "https://example.com/push") {
        let project = name.split(separator: "/").dropFirst().first.map(String.init) ?? "project"
        self.put(name, [
            "topic": .string("projects/\(project)/topics/events"), "ackDeadlineSeconds": 10, "state": "ACTIVE",
            "pushConfig": [
                "pushEndpoint": .string(pushEndpoint), "attributes": ["x-goog-version": "v1"],
                "oidcToken": ["serviceAccountEmail": .string(self.serviceAccountEmail), "audience": .string(pushEndpoint)],
            ],
            "messageRetentionDuration": "604800s",
        ])
    }

    /// Adds an entitlement `providers/P/entitlements/E` of `account` (an id) in `state`.
    public func addEntitlement(
        _ name: String, account: String, state: String = "ENTITLEMENT_ACTIVATION_REQUESTED", plan: String = "standard",
        newPendingPlan: String? = nil
    ) {
        let provider = name.split(separator: "/").dropFirst().first.map(String.init) ?? "provider"
        var entitlement: FakeJSON = [
            "account": .string("providers/\(provider)/accounts/\(account)"), "provider": .string(provider),
            "product": "autonomics", "productExternalName": "autonomics.example.com", "plan": .string(plan),
            "state": .string(state), "usageReportingId": .string("usage-" + Self.randomHex(4)),
            "createTime": "2026-01-01T00:00:00Z", "updateTime": "2026-01-01T00:00:00Z",
        ]
        if let newPendingPlan { entitlement["newPendingPlan"] = .string(newPendingPlan) }
        self.put(name, entitlement)
    }

    /// Adds an account `providers/P/accounts/A` with a pending `signup` approval.
    public func addAccount(_ name: String, state: String = "ACCOUNT_ACTIVATION_REQUESTED") {
        let provider = name.split(separator: "/").dropFirst().first.map(String.init) ?? "provider"
        self.put(name, [
            "provider": .string(provider), "state": .string(state),
            "approvals": [["name": "signup", "state": "PENDING"]], "createTime": "2026-01-01T00:00:00Z",
            "updateTime": "2026-01-01T00:00:00Z",
        ])
    }

    /// The resources `autonomics gcp-fake` starts with (see the README).
    public func seedExamples() {
        self.addService("projects/demo/locations/us-central1/services/web")
        self.addJob("projects/demo/locations/us-central1/jobs/nightly")
        self.addSubscription("projects/demo/subscriptions/push-sub")
        self.addAccount("providers/demo/accounts/acct-1")
        self.addEntitlement("providers/demo/entitlements/ent-1", account: "acct-1")
        self.addEntitlement(
            "providers/demo/entitlements/ent-2", account: "acct-1", state: "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL",
            newPendingPlan: "premium")
    }

    static func revisionName(service: String, index: Int) -> String {
        let suffix = String(UnicodeScalar(UInt8(97 + index % 26))).uppercased().lowercased()
        return "\(service)-\(String(format: "%05d", index))-\(suffix)\(suffix)\(suffix)"
    }
}
