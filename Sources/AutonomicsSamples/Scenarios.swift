import AutonomicsCore

/// The scenarios `autonomics produce --scenario` knows, written for the example spec (`config/sku.toml`) and the
/// demo tenants (``DemoTenants``) that `DemoCloud.seed` puts into the GCP fake. Each first makes its tenants
/// active (a Marketplace notification, resolved by the intake through the Procurement GET), waits for that to
/// reach the governor, then sends signals or Monitoring incidents that cross a rule as often as it asks.
public enum Scenarios {
    /// Every scenario name with its one-line summary, in the order `--help` lists them.
    public static let catalogue: [(name: String, summary: String)] = [
        ("throttle", "acme (starter): CPU above 85 three times: throttle caps its service at 2 instances"),
        ("rollback", "globex (enterprise, own project and region): error rate above 5 twice: traffic back to the previous revision"),
        ("freeze", "hooli (growth): five Monitoring incidents of latency above 80 % of its SLO: traffic pinned to the serving revisions"),
        ("pause-job", "initech (growth, explicitly named resources): error rate above 5 twice: rollback, then its Scheduler job paused"),
        ("pause-push", "acme (starter): error rate above 5 twice: its push subscription becomes pull"),
        ("entitlement-lifecycle", "umbrella: activation approved by the worker, plan change to growth approved, suspension (signals refused), reactivation (signals acted on)"),
        ("cross-tenant", "hooli's CPU incidents whose resource labels name acme's service: hooli's own service is throttled, nothing of acme's changes"),
    ]

    /// The scenario `name`, its events timed around `now` (milliseconds since the epoch); nil for an unknown name.
    public static func scenario(named name: String, now: Int64) -> Scenario? {
        guard let summary = catalogue.first(where: { $0.name == name })?.summary else { return nil }
        var writer = ScenarioWriter(now: now)
        let tenants: [DemoTenant]
        switch name {
        case "throttle":
            tenants = activeThenSignals(DemoTenants.acme, metric: "cpu_utilization", value: "91.5", count: 3, &writer)
        case "rollback":
            tenants = activeThenSignals(DemoTenants.globex, metric: "error_rate", value: "12.5", count: 2, &writer)
        case "freeze":
            tenants = [DemoTenants.hooli]
            activate(tenants, &writer)
            writer.incidents(
                DemoTenants.hooli, metricType: "custom.googleapis.com/tenant/latency_slo_percent", observed: "92",
                threshold: "80", count: 5, aboutService: "tenant-hooli")
        case "pause-job":
            tenants = activeThenSignals(DemoTenants.initech, metric: "error_rate", value: "9", count: 2, &writer)
        case "pause-push":
            tenants = activeThenSignals(DemoTenants.acme, metric: "error_rate", value: "7.25", count: 2, &writer)
        case "entitlement-lifecycle":
            tenants = [DemoTenants.umbrella]
            entitlementLifecycle(DemoTenants.umbrella, &writer)
        case "cross-tenant":
            tenants = [DemoTenants.hooli, DemoTenants.acme]
            activate(tenants, &writer)
            // Labelled hooli's (policy_user_labels.tenant_id), about acme's service: the target of the throttle
            // comes from hooli's bindings, so acme's service keeps its max instances.
            writer.incidents(
                DemoTenants.hooli, metricType: "custom.googleapis.com/tenant/cpu_percent", observed: "97",
                threshold: "85", count: 3, aboutService: "tenant-acme")
        default:
            return nil
        }
        return Scenario(name: name, summary: summary, tenants: tenants, steps: writer.steps)
    }

    /// The names, in catalogue order.
    public static var names: [String] { catalogue.map(\.name) }

    /// Seconds for the worker to take a step in: a Procurement GET (or call) and a governor decision on a local
    /// run take milliseconds; the margin covers a loaded machine.
    static let settleSeconds = 3

    /// `tenant` made active, then `count` direct signals; answers the scenario's tenants.
    private static func activeThenSignals(
        _ tenant: DemoTenant, metric: String, value: String, count: Int, _ writer: inout ScenarioWriter
    ) -> [DemoTenant] {
        activate([tenant], &writer)
        writer.signals(tenant, metric: metric, value: value, count: count)
        return [tenant]
    }

    /// `ENTITLEMENT_ACTIVE` for each tenant, then a pause, so that the signals after it find them active.
    private static func activate(_ tenants: [DemoTenant], _ writer: inout ScenarioWriter) {
        for tenant in tenants { writer.marketplace("ENTITLEMENT_ACTIVE", tenant) }
        writer.pause(seconds: settleSeconds)
    }

    /// The entitlement of `tenant`, seeded in `ENTITLEMENT_ACTIVATION_REQUESTED` on a starter plan, from request
    /// to reactivation. The worker moves it on Google's side twice (approve, approvePlanChange); the customer's
    /// plan change request, the suspension and the reactivation are Google's, so the scenario makes them on the
    /// fake (``Scenario/Step/marketplaceChange(entitlement:set:)``) before announcing each.
    private static func entitlementLifecycle(_ tenant: DemoTenant, _ writer: inout ScenarioWriter) {
        // The spec auto-approves starter-monthly: the worker calls :approve and the fake makes it ACTIVE.
        writer.marketplace("ENTITLEMENT_CREATION_REQUESTED", tenant)
        writer.pause(seconds: settleSeconds)
        writer.marketplace("ENTITLEMENT_ACTIVE", tenant)
        writer.pause(seconds: settleSeconds)

        // The customer asks for Growth; the spec auto-approves growth-monthly: :approvePlanChange makes it ACTIVE.
        writer.marketplaceChange(
            tenant, set: ["state": "ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL", "newPendingPlan": "growth-monthly"])
        writer.marketplace("ENTITLEMENT_PLAN_CHANGE_REQUESTED", tenant)
        writer.pause(seconds: settleSeconds)
        writer.marketplace("ENTITLEMENT_PLAN_CHANGED", tenant)
        writer.pause(seconds: settleSeconds)

        // Google documents no event for a suspension; the intake re-reads the entitlement whatever the eventType.
        writer.marketplaceChange(tenant, set: ["state": "ENTITLEMENT_SUSPENDED"])
        writer.marketplace("ENTITLEMENT_SUSPENDED", tenant)
        writer.pause(seconds: settleSeconds)
        // Refused: the governor takes no action while the entitlement is not serving.
        writer.signals(tenant, metric: "error_rate", value: "11", count: 2)
        writer.pause(seconds: settleSeconds)

        writer.marketplaceChange(tenant, set: ["state": "ENTITLEMENT_ACTIVE"])
        writer.marketplace("ENTITLEMENT_ACTIVE", tenant)
        writer.pause(seconds: settleSeconds)
        // Governed again, on Growth: error-rate-spike rolls back and pauses the job.
        writer.signals(tenant, metric: "error_rate", value: "11", count: 2)
    }
}
