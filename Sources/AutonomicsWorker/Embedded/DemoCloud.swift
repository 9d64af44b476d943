import AutonomicsCore
import AutonomicsSamples
import GCPFake

/// The demo tenants' side of Google Cloud, in the GCP fake: what an embedded run and `autonomics gcp-fake` start
/// with, so that the scenarios of `autonomics produce --scenario` find an entitlement to resolve and resources to
/// act on.
public enum DemoCloud {
    /// The demo tenants (``DemoTenants/all``): acme (starter), initech (growth, explicit overrides), globex
    /// (enterprise, own project and region), hooli (growth) and umbrella (starter, waiting for activation).
    public static let tenants = DemoTenants.all

    /// Puts, for every demo tenant, at the names `spec`'s bindings give it: a Cloud Run service with two ready
    /// revisions and all traffic on the latest (so that a rollback has a revision to go back to), its
    /// service-level max instances at the tier's `max_instances` quota when the tier has one; an ENABLED
    /// Scheduler job; a push subscription; and its Procurement account and entitlement (plan and state of
    /// ``DemoTenant``). A resource kind the spec binds no name for is left out, as the actuator would refuse it.
    public static func seed(_ fake: GCPFake, spec: SKUSpec) {
        for tenant in tenants {
            let maxInstances = spec.tier(forPlan: tenant.plan)?.quotas["max_instances"].map(Int.init)
            if let service = resourceName(.service, of: tenant, spec: spec) {
                fake.addService(service, maxInstanceCount: maxInstances ?? 10, revisionCount: 2)
            }
            if let job = resourceName(.job, of: tenant, spec: spec) {
                fake.addJob(job, state: "ENABLED")
            }
            if let subscription = resourceName(.subscription, of: tenant, spec: spec) {
                fake.addSubscription(subscription, pushEndpoint: "https://\(tenant.id).example.com/ingest/push")
            }
            fake.addAccount(tenant.accountName, state: "ACCOUNT_ACTIVE")
            fake.addEntitlement(
                tenant.entitlementName, account: tenant.id, state: tenant.entitlementState, plan: tenant.plan)
        }
    }

    /// Every resource ``seed(_:spec:)`` puts, in order: for `autonomics gcp-fake` to list and tests to check.
    public static func resourceNames(spec: SKUSpec) -> [String] {
        tenants.flatMap { tenant in
            TenantResource.allCases.compactMap { resourceName($0, of: tenant, spec: spec) }
                + [tenant.accountName, tenant.entitlementName]
        }
    }

    /// The name the spec binds, nil when it binds none (the demo tenant ids are all safe to substitute).
    static func resourceName(_ resource: TenantResource, of tenant: DemoTenant, spec: SKUSpec) -> String? {
        try? spec.bindings.target(resource, tenantID: tenant.id)
    }
}
