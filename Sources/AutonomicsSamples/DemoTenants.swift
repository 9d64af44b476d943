/// A tenant of the demo: a Marketplace account with one entitlement, as the example spec (`config/sku.toml`) knows
/// its plans and bindings. `DemoCloud.seed` puts its resources and entitlement into the GCP fake; the scenarios
/// (``Scenarios``) send its events.
public struct DemoTenant: Sendable, Hashable {
    /// The Marketplace account id, which is also the tenant id (the intake takes the entitlement's account).
    public let id: String
    /// The id of its Procurement entitlement (the last segment of the entitlement's name).
    public let entitlementID: String
    /// Its Marketplace plan, one of the spec's `[plans]`.
    public let plan: String
    /// The Procurement state its entitlement starts in.
    public let entitlementState: String

    /// `providers/{provider}/entitlements/{id}`: what the intake GETs for this tenant's Marketplace events.
    public var entitlementName: String { "providers/\(DemoTenants.providerID)/entitlements/\(entitlementID)" }
    /// `providers/{provider}/accounts/{id}`.
    public var accountName: String { "providers/\(DemoTenants.providerID)/accounts/\(id)" }
}

/// The demo tenants, one per kind of binding and tier of the example spec.
public enum DemoTenants {
    /// The Procurement provider of every demo entitlement; the Marketplace messages name it (`providerId`).
    public static let providerID = "acme-saas-public"

    /// Starter, resources named by the spec's templates.
    public static let acme = DemoTenant(
        id: "acme", entitlementID: "ent-acme-0001", plan: "starter-monthly", entitlementState: "ENTITLEMENT_ACTIVE")
    /// Growth, service and job named explicitly by `[bindings.overrides.initech]`, subscription by the template.
    public static let initech = DemoTenant(
        id: "initech", entitlementID: "ent-initech-0001", plan: "growth-annual", entitlementState: "ENTITLEMENT_ACTIVE")
    /// Enterprise, templates with the project and region of `[bindings.overrides.globex]`.
    public static let globex = DemoTenant(
        id: "globex", entitlementID: "ent-globex-0001", plan: "enterprise-annual",
        entitlementState: "ENTITLEMENT_ACTIVE")
    /// Growth, templates: the other side of the cross-tenant scenario.
    public static let hooli = DemoTenant(
        id: "hooli", entitlementID: "ent-hooli-0001", plan: "growth-monthly", entitlementState: "ENTITLEMENT_ACTIVE")
    /// Starter, waiting for activation: the worker approves it (the spec auto-approves starter-monthly), and the
    /// entitlement-lifecycle scenario takes it through a plan change, a suspension and a reactivation.
    public static let umbrella = DemoTenant(
        id: "umbrella", entitlementID: "ent-umbrella-0001", plan: "starter-monthly",
        entitlementState: "ENTITLEMENT_ACTIVATION_REQUESTED")

    public static let all = [acme, initech, globex, hooli, umbrella]
}
