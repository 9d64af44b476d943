import Testing

@testable import AutonomicsCore

@Suite("SKU spec: typed model and validation at load")
struct SKUSpecTests {
    @Test("the fixture spec loads with aliases resolved, quotas, plans and rules in order")
    func loads() throws {
        let spec = PolicyFixtures.spec
        #expect(spec.source == PolicyFixtures.source)
        #expect(spec.postponedSignalLimit == 3)
        #expect(spec.metrics.canonicalName("cpu") == "cpu_utilization")
        #expect(spec.metrics.canonicalName("cpu_utilization") == "cpu_utilization")
        #expect(spec.metrics.canonicalName("disk") == nil)
        #expect(spec.metrics.acceptedNames == ["cpu", "cpu_utilization", "errors", "error_rate", "memory_utilization"])
        #expect(spec.tier(forPlan: "pro-monthly")?.quotas == ["throttled_max_instances": 5])
        #expect(spec.tier(forPlan: "gold") == nil)
        #expect(spec.rules.map(\.name) == ["cpu-high", "error-burst", "memory-high"])
        #expect(spec.rules[0].metric == "cpu_utilization")
        #expect(spec.rules[0].outcomes["pro"] == .warn(actions: ["throttle"]))
        #expect(spec.rules[1].outcomes["pro"] == .refuse(reason: "error rate beyond the plan"))
        #expect(spec.actions["throttle"]?.adapter == .cloudRunThrottle(maxInstances: .quota("throttled_max_instances")))
        #expect(spec.approval.decision(forPlan: "basic-monthly") == .approve)
        #expect(spec.approval.decision(forPlan: "legacy") == .reject(reason: "plan retired"))
        #expect(spec.approval.decision(forPlan: "pro-enterprise") == .manual)
    }

    @Test(
        "thresholds compare as exact decimals",
        arguments: [("80.5", false), ("80.50", false), ("80.51", true), ("1e2", true), ("80", false)])
    func thresholds(value: String, isHigh: Bool) {
        #expect(PolicyFixtures.spec.rules[0].isHigh(value) == isHigh)
    }

    @Test("spec_hash is the SHA-256 of the canonical document: stable under key order, changed by any value")
    func specHash() throws {
        let spec = PolicyFixtures.spec
        #expect(spec.specHash.count == 64)
        let asText = try #require(PolicyFixtures.replacing(["rules", 0, "above"], with: "80.5"))
        #expect(spec.specHash == SHA256Hash(of: CanonicalJSON.encode(asText)).hex, "the decimal is hashed as its text")
        let changed = try SKUSpec(
            document: PolicyFixtures.replacing(["governor", "postponed_limit"], with: 4)!, source: PolicyFixtures.source
        )
        #expect(changed.specHash != spec.specHash)
    }

    /// A broken document, the key its error must name, the code and a fragment of the expectation.
    struct Case: Sendable, CustomTestStringConvertible {
        let path: [PolicyFixtures.PathElement]
        let value: JSONValue?
        let key: String
        let code: SpecError.Code
        let expected: String

        var testDescription: String { key }
    }

    static let cases: [Case] = [
        Case(path: ["tier"], value: 1, key: "tier", code: .unknownKey, expected: "one of actions, approval"),
        Case(path: ["tiers"], value: nil, key: "tiers", code: .missingKey, expected: "a value"),
        Case(
            path: ["governor", "postponed_limit"], value: 0, key: "governor.postponed_limit", code: .invalidValue,
            expected: "an integer 1–1024"),
        Case(
            path: ["metrics", "error_rate", "aliases"], value: ["cpu"], key: "metrics.error_rate.aliases",
            code: .invalidValue, expected: "not already taken by cpu_utilization"),
        Case(
            path: ["tiers", "pro", "quotas", "throttled_max_instances"], value: "5",
            key: "tiers.pro.quotas.throttled_max_instances", code: .invalidValue, expected: "an integer"),
        Case(
            path: ["plans", "gold"], value: "platinum", key: "plans.gold", code: .unknownReference,
            expected: "a tier: basic, pro"),
        Case(
            path: ["rules", 0, "above"], value: 101, key: "rules[0].above", code: .invalidValue,
            expected: "a number 0–100"),
        Case(
            path: ["rules", 0, "above"], value: "high", key: "rules[0].above", code: .invalidValue,
            expected: "a number 0–100"),
        Case(
            path: ["rules", 1, "consecutive"], value: 0, key: "rules[1].consecutive", code: .invalidValue,
            expected: "an integer 1–1000"),
        Case(
            path: ["rules", 1, "metric"], value: "disk", key: "rules[1].metric", code: .unknownReference,
            expected: "a metric or alias"),
        Case(
            path: ["rules", 1, "name"], value: "cpu-high", key: "rules[1].name", code: .invalidValue,
            expected: "a rule name not used before"),
        Case(
            path: ["rules", 0, "tiers", "pro"], value: nil, key: "rules[0].tiers.pro", code: .missingKey,
            expected: "an outcome for every tier"),
        Case(
            path: ["rules", 0, "tiers", "gold"], value: ["outcome": "ok"], key: "rules[0].tiers.gold",
            code: .unknownReference, expected: "a tier"),
        Case(
            path: ["rules", 0, "tiers", "pro", "actions", 0], value: "reboot", key: "rules[0].tiers.pro.actions[0]",
            code: .unknownReference, expected: "an action of [actions]"),
        Case(
            path: ["rules", 0, "tiers", "pro", "outcome"], value: "panic", key: "rules[0].tiers.pro.outcome",
            code: .invalidValue, expected: "\"ok\", \"warn\" or \"refuse\""),
        Case(
            path: ["rules", 1, "tiers", "pro", "reason"], value: nil, key: "rules[1].tiers.pro.reason",
            code: .missingKey, expected: "a value"),
        Case(
            path: ["rules", 0, "treshold"], value: 3, key: "rules[0].treshold", code: .unknownKey,
            expected: "one of above, consecutive"),
        Case(
            path: ["actions", "throttle", "adapter"], value: "cloud_run.scale", key: "actions.throttle.adapter",
            code: .invalidValue, expected: "an adapter: cloud_run.throttle"),
        Case(
            path: ["actions", "throttle", "max_instances"], value: "quota:max", key: "actions.throttle.max_instances",
            code: .unknownReference, expected: "tier basic has no max"),
        Case(
            path: ["actions", "throttle", "max_instances"], value: 0, key: "actions.throttle.max_instances",
            code: .invalidValue, expected: "an integer 1–1000"),
        Case(
            path: ["actions", "pause-job", "max_instances"], value: 3, key: "actions.pause-job.max_instances",
            code: .unknownKey, expected: "one of adapter, description"),
        Case(
            path: ["bindings", "job"], value: nil, key: "actions.pause-job.adapter", code: .unknownReference,
            expected: "bindings.job is not set"),
        Case(
            path: ["approval", "auto_approve", 0], value: "gold", key: "approval.auto_approve[0]",
            code: .unknownReference, expected: "a plan of [plans]"),
        Case(
            path: ["approval", "reject", "pro-monthly"], value: "no", key: "approval.reject.pro-monthly",
            code: .invalidValue, expected: "not also in auto_approve"),
        Case(
            path: ["approval", "unlisted"], value: "reject", key: "approval.unlisted_reason", code: .missingKey,
            expected: "a value"),
        Case(
            path: ["approval", "reject", "legacy"], value: .string(String(repeating: "x", count: 257)),
            key: "approval.reject.legacy", code: .invalidValue, expected: "at most 256 bytes"),
        Case(
            path: ["bindings", "service"], value: "projects/{project}/locations/{region}/services/shared",
            key: "bindings.service", code: .invalidBinding, expected: "using {tenant_id}"),
        Case(
            path: ["bindings", "service"], value: "projects/{project}/services/tenant-{tenant_id}",
            key: "bindings.service", code: .invalidBinding, expected: "projects/*/locations/*/services/*"),
        Case(
            path: ["bindings", "job"], value: "projects/{project}/locations/{zone}/jobs/{tenant_id}",
            key: "bindings.job", code: .invalidBinding, expected: "a template"),
        Case(
            path: ["bindings", "project"], value: "a/b", key: "bindings.project", code: .invalidBinding,
            expected: "one name segment"),
        Case(
            path: ["bindings", "overrides", "../x"], value: [:], key: "bindings.overrides.\"../x\"",
            code: .invalidBinding, expected: "a tenant id"),
        Case(
            path: ["bindings", "overrides", "initech", "service"], value: "projects/initech/services/frontend",
            key: "bindings.overrides.initech.service", code: .invalidBinding,
            expected: "a full name projects/*/locations/*/services/*"),
        Case(
            path: ["bindings", "overrides", "initech", "service"],
            value: "projects/tenants/locations/us-central1/services/tenant-acme",
            key: "bindings.overrides.initech.service", code: .invalidBinding, expected: "it is tenant acme's"),
        Case(
            path: ["bindings", "overrides", "globex", "service"],
            value: "projects/initech/locations/us-east1/services/frontend", key: "bindings.overrides.initech.service",
            code: .invalidBinding, expected: "it is tenant globex's"),
    ]

    @Test("each validation error names the file, the key and what was expected", arguments: cases)
    func validation(_ test: Case) throws {
        let document = try #require(PolicyFixtures.replacing(test.path, with: test.value))
        let error = #expect(throws: SpecError.self) { try SKUSpec(document: document, source: PolicyFixtures.source) }
        #expect(error?.source == PolicyFixtures.source)
        #expect(error?.key == test.key)
        #expect(error?.code == test.code)
        #expect(error?.expected.contains(test.expected) == true, "\(error?.expected ?? "no error")")
        #expect(error?.description.hasPrefix("\(PolicyFixtures.source): \(test.key): expected ") == true)
    }
}
