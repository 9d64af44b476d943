@testable import AutonomicsCore

/// A small SKU spec and builders for the policy and governor tests.
enum PolicyFixtures {
    static let source = "test/sku.toml"

    /// Two tiers; `cpu-high` throttles `pro` to its quota after two highs; `error-burst` refuses `pro` at once.
    static var document: JSONValue {
        [
            "governor": ["postponed_limit": 3],
            "metrics": [
                "cpu_utilization": ["aliases": ["cpu"]],
                "error_rate": ["aliases": ["errors"]],
                "memory_utilization": [:],
            ],
            "tiers": [
                "basic": ["quotas": ["throttled_max_instances": 2]],
                "pro": ["quotas": ["throttled_max_instances": 5]],
            ],
            "plans": ["basic-monthly": "basic", "pro-monthly": "pro", "pro-enterprise": "pro"],
            "rules": [
                [
                    "name": "cpu-high", "metric": "cpu", "above": .number("80.5"), "consecutive": 2,
                    "tiers": [
                        "basic": ["outcome": "warn", "actions": ["throttle", "pause-job"]],
                        "pro": ["outcome": "warn", "actions": ["throttle"]],
                    ],
                ],
                [
                    "name": "error-burst", "metric": "error_rate", "above": 5, "consecutive": 1,
                    "tiers": [
                        "basic": ["outcome": "warn"],
                        "pro": ["outcome": "refuse", "reason": "error rate beyond the plan"],
                    ],
                ],
                [
                    "name": "memory-high", "metric": "memory_utilization", "above": 90, "consecutive": 1,
                    "tiers": ["basic": ["outcome": "warn", "actions": ["pause-push"]], "pro": ["outcome": "ok"]],
                ],
            ],
            "actions": [
                "throttle": ["adapter": "cloud_run.throttle", "max_instances": "quota:throttled_max_instances"],
                "pause-job": ["adapter": "scheduler.pause"],
                "pause-push": ["adapter": "pubsub.pause_push"],
            ],
            "approval": [
                "auto_approve": ["basic-monthly", "pro-monthly"],
                "reject": ["legacy": "plan retired"],
                "unlisted": "manual",
            ],
            "bindings": [
                "project": "tenants", "region": "us-central1",
                "service": "projects/{project}/locations/{region}/services/tenant-{tenant_id}",
                "job": "projects/{project}/locations/{region}/jobs/tenant-{tenant_id}-sync",
                "subscription": "projects/{project}/subscriptions/tenant-{tenant_id}",
                "overrides": [
                    "globex": ["project": "globex-own", "region": "europe-west1"],
                    "initech": ["service": "projects/initech/locations/us-east1/services/frontend"],
                ],
            ],
        ]
    }

    static let spec = try! SKUSpec(document: document, source: source)

    /// 2026-11-20T12:00:00Z.
    static let start: Int64 = 1_795_176_000_000

    static func signal(_ metric: String, _ value: String, id: String = "s", at time: Int64 = start) -> TenantInput {
        .signal(TenantSignal(eventID: id, metric: metric, value: value, time: time))
    }

    static func entitlement(
        _ state: Tenant.EntitlementMachine.State,
        plan: String? = "pro-monthly",
        pending: String? = nil,
        id: String = "ent-1",
        at time: Int64 = start
    ) -> TenantInput {
        .entitlement(
            EntitlementSnapshot(entitlementID: id, state: state, plan: plan, newPendingPlan: pending, time: time))
    }

    static func result(_ requestID: String, _ outcome: ActionResult.Outcome, at time: Int64 = start) -> TenantInput {
        .actionResult(
            ActionResult(
                requestID: requestID, outcome: outcome, httpStatus: outcome == .succeeded ? 200 : 403,
                googleStatus: outcome == .succeeded ? nil : "PERMISSION_DENIED", preActionValue: ["max_instances": 100],
                time: time))
    }

    static func reset(at time: Int64 = start) -> TenantInput {
        .operatorCommand(OperatorCommand(commandID: "cmd-1", kind: .reset, issuedBy: "oncall", time: time))
    }

    /// Feeds `inputs` to `tenant` and returns the last input's effects.
    @discardableResult
    static func feed(_ tenant: inout Tenant, _ inputs: [TenantInput], spec: SKUSpec = spec) -> [TenantEffect] {
        var effects: [TenantEffect] = []
        for input in inputs { effects = tenant.handle(input, spec: spec) }
        return effects
    }

    /// The receipt kinds among `effects`, in order.
    static func kinds(_ effects: [TenantEffect]) -> [String] {
        effects.compactMap { if case .receipt(let draft) = $0 { draft.kind.rawValue } else { nil } }
    }

    /// A copy of `document` with the value at `path` (keys and array indices) replaced, or removed when nil.
    static func replacing(_ path: [PathElement], with value: JSONValue?, in document: JSONValue = document)
        -> JSONValue?
    {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch (first, document) {
        case (.key(let key), .object(var members)):
            members[key] = replacing(rest, with: value, in: members[key] ?? .object([:]))
            return .object(members)
        case (.index(let index), .array(var elements)):
            guard let element = replacing(rest, with: value, in: elements[index]) else {
                elements.remove(at: index)
                return .array(elements)
            }
            elements[index] = element
            return .array(elements)
        default:
            preconditionFailure("path does not fit the document")
        }
    }

    enum PathElement: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)

        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
    }
}
