import Foundation
import GCP
import GCPFake
import Testing

/// Every API call of the clients, over real HTTP through libcurl, against the fake.
@Suite("REST clients against the fake")
struct ClientIntegrationTests {
    @Test("Cloud Run: get, patch scaling with updateMask, wait for the operation")
    func cloudRunThrottle() async throws {
        try await FakeStack.with { stack in
            let service = try await stack.run.getService(serviceName)
            #expect(service.scaling?.maxInstanceCount == 10)
            #expect(service.generation == "1")

            let operation = try #require(try await stack.run.updateService(serviceName, updateMask: ["scaling.maxInstanceCount"]) { current in
                CloudRunService(scaling: .init(maxInstanceCount: 2))
            })
            #expect(operation.done == false)
            let done = try await stack.run.waitForOperation(operation, timeout: .seconds(10), pollInterval: .milliseconds(10))
            #expect(done.done == true)
            #expect(done.response?.scaling?.maxInstanceCount == 2)
            #expect(try await stack.run.getService(serviceName).scaling?.maxInstanceCount == 2)

            let patch = try #require(stack.fake.requests.first { $0.methodID == "run.projects.locations.services.patch" })
            #expect(patch.method == "PATCH")
            #expect(patch.path == "v2/" + serviceName)
            #expect(patch.query["updateMask"] == "scaling.maxInstanceCount")
            #expect(patch.json?["etag"] == .string("\"1\""))
            #expect(patch.json?["scaling"] == ["maxInstanceCount": 2])
            #expect(patch.headers["authorization"]?.hasPrefix("Bearer ya29.") == true)
        }
    }

    @Test("Cloud Run: list revisions and roll traffic back to an earlier one")
    func cloudRunRollback() async throws {
        try await FakeStack.with { stack in
            let list = try await stack.run.listRevisions(service: serviceName, pageSize: 10)
            let revisions = list.revisions ?? []
            #expect(revisions.count == 2)
            let previous = try #require(revisions.last?.shortName)
            let operation = try #require(try await stack.run.updateService(serviceName, updateMask: ["traffic"]) { _ in
                CloudRunService(traffic: [.init(type: CloudRunService.TrafficTarget.revision, revision: previous, percent: 100)])
            })
            _ = try await stack.run.waitForOperation(operation, pollInterval: .milliseconds(10))
            let service = try await stack.run.getService(serviceName)
            #expect(service.traffic == [.init(type: CloudRunService.TrafficTarget.revision, revision: previous, percent: 100)])
            #expect(service.trafficStatuses?.first?.revision == previous)
            #expect(try await stack.run.getOperation(operation.name!).done == true)
        }
    }

    @Test("Cloud Run: nothing to change means no PATCH")
    func cloudRunNoChange() async throws {
        try await FakeStack.with { stack in
            let operation = try await stack.run.updateService(serviceName, updateMask: ["scaling.maxInstanceCount"]) { _ in nil }
            #expect(operation == nil)
            #expect(!stack.fake.requests.contains { $0.method == "PATCH" })
        }
    }

    @Test("Cloud Run: the etag read is sent, and a stale one is refused with 409 ABORTED")
    func cloudRunConflict() async throws {
        try await FakeStack.with { stack in
            let first = try await stack.run.getService(serviceName)
            // Someone else changes the service between our read and our write: our etag is stale.
            var changed = stack.fake.resource(serviceName)!
            changed["etag"] = "\"changed\""
            stack.fake.put(serviceName, changed)
            var reads = 0
            let operation = try await stack.run.updateService(serviceName, updateMask: ["scaling.maxInstanceCount"]) { current in
                reads += 1
                return CloudRunService(scaling: .init(maxInstanceCount: 4))
            }
            #expect(operation != nil)
            #expect(reads == 1)
            #expect(first.etag == "\"1\"")
            // A stale etag sent directly is refused with 409 ABORTED.
            do {
                _ = try await stack.run.patchService(CloudRunService(name: serviceName, etag: "\"1\"", scaling: .init(maxInstanceCount: 5)), updateMask: ["scaling.maxInstanceCount"])
                Issue.record("a stale etag was accepted")
            } catch let error as GCPError {
                #expect(error.isConflict)
                #expect(error.status == "ABORTED")
            }
        }
    }

    @Test("Cloud Run: the PATCH conflict path re-reads (409 on the PATCH only)")
    func cloudRunConflictOnPatch() async throws {
        try await FakeStack.with { stack in
            stack.fake.inject(.conflict, api: .run, pathContains: "services/web", times: 1)
            do {
                _ = try await stack.run.getService(serviceName)
                Issue.record("the injected 409 did not arrive")
            } catch let error as GCPError {
                #expect(error.isConflict)
            }
            // Now one conflict on the next request, which will be the PATCH after a clean GET.
            var reads = 0
            let getsBefore = stack.fake.requests.count
            let operation = try await stack.run.updateService(serviceName, updateMask: ["scaling.maxInstanceCount"]) { _ in
                reads += 1
                if reads == 1 { stack.fake.inject(.conflict, api: .run, pathContains: "services/web", times: 1) }
                return CloudRunService(scaling: .init(maxInstanceCount: 6))
            }
            #expect(operation != nil)
            #expect(reads == 2)
            let methods = stack.fake.requests.dropFirst(getsBefore).map(\.method)
            #expect(methods == ["GET", "PATCH", "GET", "PATCH"])
        }
    }

    @Test("Cloud Scheduler: get, pause, resume; pausing a paused job is FAILED_PRECONDITION")
    func scheduler() async throws {
        try await FakeStack.with { stack in
            #expect(try await stack.scheduler.getJob(jobName).state == "ENABLED")
            #expect(try await stack.scheduler.pauseJob(jobName).state == "PAUSED")
            do {
                _ = try await stack.scheduler.pauseJob(jobName)
                Issue.record("pausing twice succeeded")
            } catch let error as GCPError {
                #expect(error.httpStatus == 400)
                #expect(error.status == "FAILED_PRECONDITION")
            }
            #expect(try await stack.scheduler.resumeJob(jobName).state == "ENABLED")
            let pause = try #require(stack.fake.requests.first { $0.methodID == "cloudscheduler.projects.locations.jobs.pause" })
            #expect(pause.path == "v1/\(jobName):pause")
            #expect(pause.body == Array("{}".utf8))
        }
    }

    @Test("Pub/Sub: get, pause push with an empty pushConfig, resume with the saved one")
    func pubsub() async throws {
        try await FakeStack.with { stack in
            let saved = try #require(try await stack.pubsub.getSubscription(subscriptionName).pushConfig)
            #expect(saved.pushEndpoint == "https://example.com/push")
            try await stack.pubsub.modifyPushConfig(subscription: subscriptionName, pushConfig: .pull)
            #expect(try await stack.pubsub.getSubscription(subscriptionName).pushConfig == PubSubPushConfig())
            let pause = try #require(stack.fake.requests.first { $0.methodID == "pubsub.projects.subscriptions.modifyPushConfig" })
            #expect(pause.json == ["pushConfig": [:]])
            try await stack.pubsub.modifyPushConfig(subscription: subscriptionName, pushConfig: saved)
            #expect(try await stack.pubsub.getSubscription(subscriptionName).pushConfig == saved)
        }
    }

    @Test("Procurement: entitlements get, approve, reject, approvePlanChange; accounts get and approve")
    func procurement() async throws {
        try await FakeStack.with { stack in
            let entitlement = try await stack.procurement.getEntitlement(entitlementName)
            #expect(entitlement.state == "ENTITLEMENT_ACTIVATION_REQUESTED")
            #expect(entitlement.accountID == "acct-1")
            try await stack.procurement.approveEntitlement(entitlementName)
            #expect(try await stack.procurement.getEntitlement(entitlementName).state == "ENTITLEMENT_ACTIVE")

            let pending = try await stack.procurement.getEntitlement(planChangeEntitlementName)
            try await stack.procurement.approvePlanChange(planChangeEntitlementName, pendingPlanName: try #require(pending.newPendingPlan))
            let changed = try await stack.procurement.getEntitlement(planChangeEntitlementName)
            #expect(changed.plan == "premium")
            #expect(changed.newPendingPlan == nil)

            stack.fake.addEntitlement("providers/demo/entitlements/ent-3", account: "acct-1")
            try await stack.procurement.rejectEntitlement("providers/demo/entitlements/ent-3", reason: "not eligible")
            #expect(try await stack.procurement.getEntitlement("providers/demo/entitlements/ent-3").state == "ENTITLEMENT_CANCELLED")

            #expect(try await stack.procurement.getAccount(accountName).state == "ACCOUNT_ACTIVATION_REQUESTED")
            try await stack.procurement.approveAccount(accountName)
            let account = try await stack.procurement.getAccount(accountName)
            #expect(account.state == "ACCOUNT_ACTIVE")
            #expect(account.approvals?.first?.state == "APPROVED")
        }
    }

    @Test("A missing resource is a terminal 404 with Google's reason, asked once")
    func notFound() async throws {
        try await FakeStack.with { stack in
            do {
                _ = try await stack.run.getService("projects/demo/locations/us-central1/services/missing")
                Issue.record("found a missing service")
            } catch let error as GCPError {
                #expect(error.isNotFound)
                #expect(error.status == "NOT_FOUND")
                #expect(error.message.contains("missing"))
            }
            #expect(stack.fake.requests.filter { $0.api == .run }.count == 1)
        }
    }

    @Test("Reading any supported resource by its full name", arguments: [serviceName, jobName, subscriptionName, entitlementName, accountName])
    func readByName(name: String) async throws {
        try await FakeStack.with { stack in
            let body = try await GCPResourceReader(transport: stack.transport).get(name)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(json["name"] as? String == name)
        }
    }

    @Test("Names that no supported API serves are refused before any request")
    func invalidNames() {
        for name in ["projects/p", "projects/p/topics/t", "providers/p/entitlements", "", "projects//subscriptions/s"] {
            #expect(GCPResourceReader.api(for: name) == nil, "\(name)")
        }
    }

    @Test("The fake reports requests that the discovery documents do not allow")
    func fakeCatchesViolations() async throws {
        try await FakeStack.with(allowViolations: true) { stack in
            _ = try? await stack.transport.send(.run, "PATCH", path: "v2/" + serviceName, query: [("updateMask", "scaling.maxInstances")],
                                                body: Array(#"{"scaling":{"maxInstances":"2"}}"#.utf8), operation: "bad")
            _ = try? await stack.transport.send(.scheduler, "POST", path: "v1/\(jobName):freeze", body: Array("{}".utf8), operation: "bad")
            _ = try? await stack.transport.send(.run, "GET", path: "v2/" + serviceName, query: [("verbose", "true")], operation: "bad")
            let violations = stack.fake.violations
            #expect(violations.contains { $0.contains("scaling.maxInstances") && $0.contains("updateMask") })
            #expect(violations.contains { $0.contains("has no field \"maxInstances\"") })
            #expect(violations.contains { $0.contains(":freeze") })
            #expect(violations.contains { $0.contains("\"verbose\" is not declared") })
        }
    }
}
