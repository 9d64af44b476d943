import Testing

@testable import AutonomicsCore

@Suite("Tenant bindings: templates, overrides and unsafe tenant ids")
struct TenantBindingsTests {
    let bindings = PolicyFixtures.spec.bindings

    @Test("templates name each resource of a tenant")
    func templates() throws {
        #expect(
            try bindings.target(.service, tenantID: "acme")
                == "projects/tenants/locations/us-central1/services/tenant-acme")
        #expect(
            try bindings.target(.job, tenantID: "acme")
                == "projects/tenants/locations/us-central1/jobs/tenant-acme-sync")
        #expect(
            try bindings.target(.subscription, tenantID: "a.b_c-9") == "projects/tenants/subscriptions/tenant-a.b_c-9")
    }

    @Test("an override changes project and region for the templates, or names a resource outright")
    func overrides() throws {
        #expect(
            try bindings.target(.service, tenantID: "globex")
                == "projects/globex-own/locations/europe-west1/services/tenant-globex")
        #expect(
            try bindings.target(.subscription, tenantID: "globex") == "projects/globex-own/subscriptions/tenant-globex")
        #expect(
            try bindings.target(.service, tenantID: "initech")
                == "projects/initech/locations/us-east1/services/frontend")
        #expect(
            try bindings.target(.job, tenantID: "initech")
                == "projects/tenants/locations/us-central1/jobs/tenant-initech-sync")
    }

    @Test(
        "a tenant id that could change a name's structure gets no target",
        arguments: [
            "", ".", "..", "a/b", "../other", "acme/../../x", "a b", "a%2Fb", "a?x=1", "ä", "a{tenant_id}",
            String(repeating: "a", count: 257),
        ]
    )
    func unsafeTenantIDs(tenantID: String) {
        #expect(!TenantBindings.isSafeTenantID(tenantID))
        for resource in TenantResource.allCases {
            #expect(throws: BindingError(tenantID: tenantID, resource: resource, reason: .unsafeTenantID)) {
                try bindings.target(resource, tenantID: tenantID)
            }
        }
    }

    @Test("a resource kind without template or override is unbound")
    func unbound() throws {
        let document = try #require(PolicyFixtures.replacing(["bindings", "subscription"], with: nil))
        let withoutPush = try #require(PolicyFixtures.replacing(["rules", 2], with: nil, in: document))
        let unpushed = try #require(PolicyFixtures.replacing(["actions", "pause-push"], with: nil, in: withoutPush))
        let bindings = try SKUSpec(document: unpushed, source: "t").bindings
        #expect(throws: BindingError(tenantID: "acme", resource: .subscription, reason: .unbound)) {
            try bindings.target(.subscription, tenantID: "acme")
        }
    }

    @Test("each resource kind matches only its own shape")
    func shapes() {
        #expect(TenantResource.service.matches("projects/p/locations/r/services/s"))
        #expect(!TenantResource.service.matches("projects/p/locations/r/jobs/s"))
        #expect(!TenantResource.service.matches("projects/p/locations/r/services/s/revisions/x"))
        #expect(!TenantResource.service.matches("projects/p/locations/r/services/.."))
        #expect(TenantResource.subscription.matches("projects/p/subscriptions/s"))
        #expect(!TenantResource.subscription.matches("projects/p/subscriptions/"))
    }
}
