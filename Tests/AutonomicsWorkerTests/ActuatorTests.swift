@testable import AutonomicsCore
import AutonomicsTestSupport
import AutonomicsWorker
import Curl
import Foundation
import GCP
import GCPFake
import Logging
import MetricsTestKit
import ServiceLifecycle
import Synchronization
import Testing

/// The actuator over the real path: libcurl → loopback HTTP → the fake, which judges every request against the
/// discovery documents (each test ends by expecting no violation).
@Suite("Actuator against the fake", .timeLimit(.minutes(2)))
struct ActuatorTests {
    static let service = "projects/demo/locations/us-central1/services/web"
    static let job = "projects/demo/locations/us-central1/jobs/nightly"
    static let subscription = "projects/demo/subscriptions/push-sub"

    @Test("Throttle sets the service-level maxInstanceCount, reports the old value, and a repeat writes nothing")
    func throttle() async throws {
        try await ActuatorStack.with { stack in
            let result = await stack.perform(.request("acme", .cloudRunThrottle(maxInstances: .count(2)), Self.service, ["max_instances": 2]))
            #expect(result.outcome == .succeeded)
            #expect(result.httpStatus == 200)
            #expect(result.preActionValue == ["max_instance_count": 10])
            #expect(result.time == ActuatorStack.resultTime)
            #expect(stack.fake.resource(Self.service)?["scaling"]?["maxInstanceCount"] == 2)
            let patch = try #require(stack.fake.requests.first { $0.methodID == "run.projects.locations.services.patch" })
            #expect(patch.query["updateMask"] == "scaling.maxInstanceCount")
            #expect(patch.json?["scaling"] == ["maxInstanceCount": 2])
            // The operation was polled until done.
            #expect(stack.fake.requests.contains { $0.methodID == "run.projects.locations.operations.get" })

            let repeated = await stack.perform(.request("acme", .cloudRunThrottle(maxInstances: .count(2)), Self.service, ["max_instances": 2], number: 2))
            #expect(repeated.outcome == .succeeded)
            #expect(repeated.preActionValue == ["max_instance_count": 2, "unchanged": true])
            #expect(stack.fake.requests.filter { $0.method == "PATCH" }.count == 1)

            let counted = { (result: String) in
                try stack.metrics.expectCounter(
                    "autonomics_actions_total", [("adapter", "cloud_run.throttle"), ("result", result)]).totalValue
            }
            #expect(try counted("changed") == 1)
            #expect(try counted("unchanged") == 1)
            #expect(try stack.metrics.expectTimer("autonomics_action_duration_seconds", [("adapter", "cloud_run.throttle")]).values.count == 2)
            #expect(try stack.metrics.expectGauge("autonomics_actions_in_flight").lastValue == 0)
        }
    }

    @Test("Freeze pins traffic to the serving revision; rollback sends 100 % to the previous ready one; repeats change nothing")
    func freezeAndRollback() async throws {
        try await ActuatorStack.with { stack in
            let api = "projects/demo/locations/us-central1/services/api"
            stack.fake.addService(api, revisionCount: 3)
            let latest: FakeJSON = ["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100]

            let frozen = await stack.perform(.request("acme", .cloudRunFreeze, api))
            #expect(frozen.outcome == .succeeded)
            #expect(frozen.preActionValue == ["traffic": [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100]]])
            let pinnedToLatest: FakeJSON = [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "api-00003-ddd", "percent": 100]]
            #expect(stack.fake.resource(api)?["traffic"] == pinnedToLatest)
            #expect(stack.fake.resource(api)?["traffic"] != .array([latest]))
            let refrozen = await stack.perform(.request("acme", .cloudRunFreeze, api, number: 2))
            #expect(refrozen.preActionValue?["unchanged"] == true)

            let rolledBack = await stack.perform(.request("acme", .cloudRunRollback, api, number: 3))
            #expect(rolledBack.outcome == .succeeded)
            #expect(rolledBack.preActionValue == ["traffic": [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "api-00003-ddd", "percent": 100]]])
            let previous: FakeJSON = [["type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "api-00002-ccc", "percent": 100]]
            #expect(stack.fake.resource(api)?["traffic"] == previous)
            #expect(stack.fake.resource(api)?["trafficStatuses"] == previous)
            // Relative to the latest ready revision, so a repeat does not step further back.
            let again = await stack.perform(.request("acme", .cloudRunRollback, api, number: 4))
            #expect(again.preActionValue?["unchanged"] == true)
            #expect(stack.fake.requests.filter { $0.method == "PATCH" }.map { $0.query["updateMask"] } == ["traffic", "traffic"])
        }
    }

    @Test("Rollback with no older ready revision fails with FAILED_PRECONDITION and writes nothing")
    func rollbackWithoutPrevious() async throws {
        try await ActuatorStack.with { stack in
            let single = "projects/demo/locations/us-central1/services/single"
            stack.fake.addService(single, revisionCount: 1)
            let result = await stack.perform(.request("acme", .cloudRunRollback, single))
            #expect(result.outcome == .failed)
            #expect(result.googleStatus == "FAILED_PRECONDITION")
            #expect(result.httpStatus == nil)
            #expect(!stack.fake.requests.contains { $0.method == "PATCH" })
        }
    }

    @Test("Scheduler pause and resume, each skipping a job already in the wanted state")
    func schedulerPauseResume() async throws {
        try await ActuatorStack.with { stack in
            let paused = await stack.perform(.request("acme", .schedulerPause, Self.job))
            #expect(paused.outcome == .succeeded)
            #expect(paused.preActionValue == ["state": "ENABLED"])
            #expect(stack.fake.resource(Self.job)?["state"] == "PAUSED")

            let pausedAgain = await stack.perform(.request("acme", .schedulerPause, Self.job, number: 2))
            #expect(pausedAgain.preActionValue == ["state": "PAUSED", "unchanged": true])

            let resumed = await stack.perform(.request("acme", .schedulerResume, Self.job, number: 3))
            #expect(resumed.outcome == .succeeded)
            #expect(resumed.preActionValue == ["state": "PAUSED"])
            #expect(stack.fake.resource(Self.job)?["state"] == "ENABLED")
            #expect(stack.fake.requests.filter { $0.api == .scheduler && $0.method == "POST" }.map(\.methodID) == [
                "cloudscheduler.projects.locations.jobs.pause", "cloudscheduler.projects.locations.jobs.resume",
            ])
        }
    }

    @Test("Pub/Sub pause push saves the push config; resume push restores it from the request's push_config")
    func pubsubRoundTrip() async throws {
        try await ActuatorStack.with { stack in
            let original = try #require(stack.fake.resource(Self.subscription)?["pushConfig"])
            let paused = await stack.perform(.request("acme", .pubsubPausePush, Self.subscription))
            #expect(paused.outcome == .succeeded)
            #expect(stack.fake.resource(Self.subscription)?["pushConfig"] == [:])
            let saved = try #require(paused.preActionValue?["push_config"])
            #expect(saved["pushEndpoint"] == "https://example.com/push")

            let resumed = await stack.perform(.request("acme", .pubsubResumePush, Self.subscription, ["push_config": saved], number: 2))
            #expect(resumed.outcome == .succeeded)
            #expect(resumed.preActionValue == ["push_config": [:]])
            #expect(stack.fake.resource(Self.subscription)?["pushConfig"] == original)

            let again = await stack.perform(.request("acme", .pubsubResumePush, Self.subscription, ["push_config": saved], number: 3))
            #expect(again.preActionValue?["unchanged"] == true)
            #expect(stack.fake.requests.filter { $0.methodID == "pubsub.projects.subscriptions.modifyPushConfig" }.count == 2)
        }
    }

    @Test("Resume push without a push config to restore fails clearly and calls nothing")
    func resumeWithoutSavedConfig() async throws {
        try await ActuatorStack.with { stack in
            let result = await stack.perform(.request("acme", .pubsubResumePush, Self.subscription))
            #expect(result.outcome == .failed)
            #expect(result.googleStatus == "FAILED_PRECONDITION")
            #expect(result.httpStatus == nil)
            #expect(stack.fake.requests.isEmpty)
        }
    }

    @Test("A target that is not the adapter's kind of resource is refused without a call")
    func wrongTargetKind() async throws {
        try await ActuatorStack.with { stack in
            let result = await stack.perform(.request("acme", .cloudRunFreeze, Self.job))
            #expect(result.outcome == .failed)
            #expect(result.googleStatus == "INVALID_ARGUMENT")
            #expect(stack.fake.requests.isEmpty)
        }
    }

    @Test("A 429 with Retry-After is waited out and the action succeeds")
    func retryAfterHonoured() async throws {
        let sleeps = SleepLog()
        try await ActuatorStack.with(transportClock: sleeps.clock) { stack in
            stack.fake.inject(.tooManyRequests(retryAfter: "1"), api: .scheduler, times: 1)
            let result = await stack.perform(.request("acme", .schedulerPause, Self.job))
            #expect(result.outcome == .succeeded)
            #expect(stack.fake.requests.filter { $0.api == .scheduler }.map(\.status) == [429, 200, 200])
            // Jitter is fixed at zero, so the only wait is the one the server asked for.
            #expect(sleeps.durations == [.seconds(1)])
        }
    }

    @Test("A permanent 403 is not retried and fails with PERMISSION_DENIED")
    func permissionDenied() async throws {
        try await ActuatorStack.with { stack in
            stack.fake.inject(.status(403), api: .run, times: 1)
            let result = await stack.perform(.request("acme", .cloudRunThrottle(maxInstances: .count(2)), Self.service, ["max_instances": 2]))
            #expect(result.outcome == .failed)
            #expect(result.httpStatus == 403)
            #expect(result.googleStatus == "PERMISSION_DENIED")
            #expect(stack.fake.requests.filter { $0.api == .run }.count == 1)
            let failures = try stack.metrics.expectCounter(
                "autonomics_actions_total", [("adapter", "cloud_run.throttle"), ("result", "failed")])
            #expect(failures.totalValue == 1)
        }
    }

    @Test("Never more than maxConcurrent requests reach the API at once")
    func boundedConcurrency() async throws {
        try await ActuatorStack.with(configure: { $0.maxConcurrent = 3 }) { stack in
            let jobs = (1...12).map { "projects/demo/locations/us-central1/jobs/job-\($0)" }
            for job in jobs { stack.fake.addJob(job) }
            // Each answer waits, so that actions overlap.
            stack.fake.inject(.delay(.milliseconds(100)), api: .scheduler, times: 1000)
            for (index, job) in jobs.enumerated() {
                stack.actuator.submit(.request("tenant-\(index)", .schedulerPause, job))
            }
            let results = await stack.next(jobs.count)
            #expect(results.allSatisfy { $0.result.outcome == .succeeded })
            #expect(Set(results.map(\.tenantID)) == Set(jobs.indices.map { "tenant-\($0)" }))
            #expect(jobs.allSatisfy { stack.fake.resource($0)?["state"] == "PAUSED" })
            #expect(stack.fake.maxAPIRequestsInFlight <= 3)
            #expect(stack.fake.maxAPIRequestsInFlight >= 2)
        }
    }

    @Test("A second request for a tenant with one in flight is refused at once; other tenants go on")
    func onePerTenant() async throws {
        try await ActuatorStack.with { stack in
            let other = "projects/demo/locations/us-central1/jobs/other"
            stack.fake.addJob(other)
            stack.fake.inject(.delay(.milliseconds(200)), api: .scheduler, times: 1000)
            stack.actuator.submit(.request("acme", .schedulerPause, Self.job))
            stack.actuator.submit(.request("acme", .schedulerResume, Self.job, number: 2))
            stack.actuator.submit(.request("globex", .schedulerPause, other))
            let results = await stack.next(3)
            // The refusal is delivered from submit, before any action ends.
            #expect(results.first?.result.requestID == "acme/2")
            #expect(results.first?.result.outcome == .failed)
            #expect(results.first?.result.googleStatus == "ABORTED")
            #expect(results.first?.result.httpStatus == nil)
            let byID = Dictionary(uniqueKeysWithValues: results.map { ($0.result.requestID, $0.result) })
            #expect(byID["acme/1"]?.outcome == .succeeded)
            #expect(byID["globex/1"]?.outcome == .succeeded)
            #expect(stack.fake.requests.filter { $0.methodID == "cloudscheduler.projects.locations.jobs.resume" }.isEmpty)
            let refusals = try stack.metrics.expectCounter(
                "autonomics_actions_total", [("adapter", "scheduler.resume"), ("result", "refused")])
            #expect(refusals.totalValue == 1)

            // Once the first is done, the tenant may have another.
            let resumed = await stack.perform(.request("acme", .schedulerResume, Self.job, number: 3))
            #expect(resumed.outcome == .succeeded)
        }
    }

    @Test("The deadline ends a hung action as failed, keeping the pre-action value already read")
    func deadline() async throws {
        try await ActuatorStack.with(configure: { $0.actionDeadline = .seconds(3) }) { stack in
            // The read and the PATCH answer; polling the operation hangs.
            stack.fake.inject(.hang(.seconds(30)), api: .run, pathContains: "operations", times: 100)
            let started = ContinuousClock.now
            let result = await stack.perform(.request("acme", .cloudRunThrottle(maxInstances: .count(3)), Self.service, ["max_instances": 3]))
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(result.outcome == .failed)
            #expect(result.googleStatus == "DEADLINE_EXCEEDED")
            #expect(result.httpStatus == nil)
            #expect(result.preActionValue == ["max_instance_count": 10])
        }
    }

    @Test("Dry run calls nothing, not even the token endpoint, and logs what it would do")
    func dryRun() async throws {
        let logs = LogRecorder()
        try await ActuatorStack.with(configure: { $0.dryRun = true }, logger: logs.logger()) { stack in
            let requests: [ActionRequest] = [
                .request("acme", .cloudRunThrottle(maxInstances: .count(2)), Self.service, ["max_instances": 2]),
                .request("globex", .schedulerPause, Self.job),
                .request("initech", .pubsubPausePush, Self.subscription),
            ]
            for request in requests { stack.actuator.submit(request) }
            let results = await stack.next(requests.count)
            for delivered in results {
                #expect(delivered.result.outcome == .succeeded)
                #expect(delivered.result.httpStatus == nil)
                #expect(delivered.result.preActionValue == ["dry_run": true])
            }
            #expect(stack.fake.requests.isEmpty)
            let lines = logs.entries.filter { $0.message == "Dry run: action not performed" }
            #expect(Set(lines.compactMap { $0.metadata["action.adapter"]?.description }) == ["cloud_run.throttle", "scheduler.pause", "pubsub.pause_push"])
            #expect(lines.contains { $0.metadata["action.parameters"]?.description == #"{"max_instances":2}"# })
        }
    }

    @Test("Graceful shutdown waits for an action within the grace, then drops new requests")
    func shutdownWaitsForInFlight() async throws {
        try await ActuatorStack.with(configure: { $0.shutdownGrace = .seconds(30) }) { stack in
            stack.fake.inject(.delay(.milliseconds(300)), api: .scheduler, times: 1000)
            let group = ServiceGroup(configuration: .init(services: [stack.actuator], logger: ActuatorStack.quietLogger))
            async let running: Void = group.run()
            stack.actuator.submit(.request("acme", .schedulerPause, Self.job))
            await group.triggerGracefulShutdown()
            try await running
            // run() returned only once the action had ended.
            #expect(stack.delivered.map(\.result.outcome) == [.succeeded])
            stack.actuator.submit(.request("globex", .schedulerResume, Self.job))
            #expect(stack.delivered.count == 1)
            #expect(!stack.fake.requests.contains { $0.methodID == "cloudscheduler.projects.locations.jobs.resume" })
        }
    }

    @Test("Graceful shutdown cancels an action still running after the grace, without a result")
    func shutdownCancelsAfterGrace() async throws {
        let logs = LogRecorder()
        try await ActuatorStack.with(configure: { $0.shutdownGrace = .milliseconds(200) }, logger: logs.logger()) { stack in
            stack.fake.inject(.hang(.seconds(30)), api: .scheduler, times: 100)
            let group = ServiceGroup(configuration: .init(services: [stack.actuator], logger: ActuatorStack.quietLogger))
            let started = ContinuousClock.now
            async let running: Void = group.run()
            stack.actuator.submit(.request("acme", .schedulerPause, Self.job))
            await group.triggerGracefulShutdown()
            try await running
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(stack.delivered.isEmpty)
            let stopped = logs.entries.first { $0.message == "Actuator stopped" }
            #expect(stopped?.metadata["actuator.cancelled_actions"]?.description == "1")
        }
    }
}

// MARK: - Support

extension ActionRequest {
    /// A request as the core would make it: `<tenant>/<number>`, the target from the (here, the test's) bindings.
    static func request(
        _ tenant: String, _ adapter: ActionAdapter, _ target: String, _ parameters: [String: JSONValue] = [:],
        number: Int = 1
    ) -> ActionRequest {
        ActionRequest(
            id: "\(tenant)/\(number)", tenantID: tenant, action: adapter.name, adapter: adapter, target: target,
            parameters: parameters, rule: "test")
    }
}

/// One result as the actuator handed it over.
struct DeliveredResult: Sendable {
    var result: ActionResult
    var tenantID: String
}

/// The results the actuator hands over, kept and streamed.
final class ResultLog: Sendable {
    let stream: AsyncStream<DeliveredResult>
    private let continuation: AsyncStream<DeliveredResult>.Continuation
    private let stored = Mutex<[DeliveredResult]>([])

    init() {
        (self.stream, self.continuation) = AsyncStream.makeStream()
    }

    var all: [DeliveredResult] { self.stored.withLock { $0 } }

    var completion: Actuator.Completion {
        { result, tenantID in
            let delivered = DeliveredResult(result: result, tenantID: tenantID)
            self.stored.withLock { $0.append(delivered) }
            self.continuation.yield(delivered)
        }
    }
}

/// A started fake with the example resources, an actuator calling it through libcurl with tokens from the fake's
/// key, and the results the actuator delivers; stopped after `body`, which must leave no discovery violations.
final class ActuatorStack {
    let fake: GCPFake
    let actuator: Actuator
    let metrics: TestMetrics
    private let log: ResultLog
    private var results: AsyncStream<DeliveredResult>.Iterator

    /// The results' time, from the injected clock.
    static let resultTime: Int64 = 1_767_225_600_000

    static let quietLogger = Logger(label: "actuator-tests") { _ in SwiftLogNoOpLogHandler() }

    private init(fake: GCPFake, actuator: Actuator, metrics: TestMetrics, log: ResultLog) {
        self.fake = fake
        self.actuator = actuator
        self.metrics = metrics
        self.log = log
        self.results = log.stream.makeAsyncIterator()
    }

    static func with(
        configure: (inout Actuator.Configuration) -> Void = { _ in }, transportClock: GCPClock = .system,
        logger: Logger = ActuatorStack.quietLogger, _ body: (ActuatorStack) async throws -> Void
    ) async throws {
        let fake = try await GCPFake.start()
        fake.seedExamples()
        let http = CurlClient()
        let metrics = TestMetrics()
        let gcpMetrics = GCPMetrics(factory: metrics)
        let credentials = try GCPCredentials.parse(Data(fake.serviceAccountKeyJSON), origin: "fake key")
        let tokens = TokenProvider(credentials: credentials, http: http, metrics: gcpMetrics, logger: logger)
        var gcp = GCPConfiguration()
        gcp.endpoints = [.run: fake.endpoint(.run), .scheduler: fake.endpoint(.scheduler), .pubsub: fake.endpoint(.pubsub)]
        gcp.retry.initialBackoff = .milliseconds(10)
        gcp.retry.maxBackoff = .milliseconds(100)
        let transport = GCPTransport(
            configuration: gcp, tokens: tokens, http: http, clock: transportClock, metrics: gcpMetrics, logger: logger)

        var configuration = Actuator.Configuration()
        configuration.operationPollInterval = .milliseconds(10)
        configure(&configuration)
        let log = ResultLog()
        let actuator = Actuator(
            run: CloudRunClient(transport: transport), scheduler: CloudSchedulerClient(transport: transport),
            pubsub: PubSubClient(transport: transport), configuration: configuration, now: { Self.resultTime },
            metrics: ActuatorMetrics(factory: metrics), logger: logger, completion: log.completion)
        let stack = ActuatorStack(fake: fake, actuator: actuator, metrics: metrics, log: log)
        do {
            try await body(stack)
            #expect(fake.violations.isEmpty, "discovery violations: \(fake.violations)")
        } catch {
            await http.shutdown()
            await fake.stop()
            throw error
        }
        await http.shutdown()
        await fake.stop()
    }

    /// Every result delivered so far.
    var delivered: [DeliveredResult] { self.log.all }

    /// The next `count` results, in delivery order.
    func next(_ count: Int) async -> [DeliveredResult] {
        var collected: [DeliveredResult] = []
        while collected.count < count, let delivered = await self.results.next() {
            collected.append(delivered)
        }
        return collected
    }

    /// Submits `request` and waits for the next result, which must be its own.
    func perform(_ request: ActionRequest) async -> ActionResult {
        self.actuator.submit(request)
        let delivered = await self.next(1).first
        #expect(delivered?.result.requestID == request.id)
        #expect(delivered?.tenantID == request.tenantID)
        return delivered?.result ?? ActionResult(requestID: "none", outcome: .failed, httpStatus: nil, time: 0)
    }
}

/// The system clock with jitter fixed at zero, recording every sleep (the transport's backoffs).
final class SleepLog: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var durations: [Duration] { self.recorded.withLock { $0 } }

    var clock: GCPClock {
        GCPClock(
            now: GCPClock.system.now, wallClock: GCPClock.system.wallClock,
            sleep: { duration in
                self.recorded.withLock { $0.append(duration) }
                try await GCPClock.system.sleep(duration)
            },
            random: { 0 })
    }
}
