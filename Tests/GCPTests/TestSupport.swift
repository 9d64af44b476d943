import Curl
import Foundation
import GCP
import GCPFake
import Logging
import Synchronization
import Testing

/// Time that moves only when told to (or when the code under test sleeps), with jitter fixed at its maximum.
final class ManualClock: Sendable {
    private struct State {
        var now: Duration = .seconds(1000)
        var wall = Date()
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State())
    let randomValue: Double

    init(random: Double = 1.0) {
        self.randomValue = random
    }

    var clock: GCPClock {
        GCPClock(
            now: { self.state.withLock { $0.now } },
            wallClock: { self.state.withLock { $0.wall } },
            sleep: { duration in self.advance(duration, recording: true) },
            random: { self.randomValue })
    }

    func advance(_ duration: Duration, recording: Bool = false) {
        self.state.withLock { state in
            state.now += duration
            let (seconds, attoseconds) = duration.components
            state.wall += Double(seconds) + Double(attoseconds) / 1e18
            if recording { state.sleeps.append(duration) }
        }
    }

    var sleeps: [Duration] { self.state.withLock { $0.sleeps } }
}

/// A started fake with the example resources, a libcurl client and a transport with tokens from the fake's
/// service-account key; stopped after `body`, which must leave the fake without discovery violations.
struct FakeStack {
    let fake: GCPFake
    let http: CurlClient
    let tokens: TokenProvider
    let transport: GCPTransport

    var run: CloudRunClient { CloudRunClient(transport: self.transport, clock: .system) }
    var scheduler: CloudSchedulerClient { CloudSchedulerClient(transport: self.transport) }
    var pubsub: PubSubClient { PubSubClient(transport: self.transport) }
    var procurement: ProcurementClient { ProcurementClient(transport: self.transport) }

    static let logger = Logger(label: "gcp-tests")

    static func configuration(for fake: GCPFake) -> GCPConfiguration {
        var configuration = GCPConfiguration()
        configuration.endpoints = [
            .run: fake.endpoint(.run), .scheduler: fake.endpoint(.scheduler), .pubsub: fake.endpoint(.pubsub),
            .procurement: fake.endpoint(.procurement),
        ]
        configuration.retry.initialBackoff = .milliseconds(10)
        configuration.retry.maxBackoff = .milliseconds(100)
        return configuration
    }

    static func with(
        credentials: ((GCPFake) throws -> GCPCredentials)? = nil,
        clock: GCPClock = .system,
        tokenClock: GCPClock = .system,
        configure: (inout GCPConfiguration) -> Void = { _ in },
        metrics: GCPMetrics = GCPMetrics(),
        logger: Logger = FakeStack.logger,
        allowViolations: Bool = false,
        _ body: (FakeStack) async throws -> Void
    ) async throws {
        let fake = try await GCPFake.start()
        fake.seedExamples()
        let http = CurlClient()
        let credentials = try credentials?(fake) ?? GCPCredentials.parse(Data(fake.serviceAccountKeyJSON), origin: "fake key")
        let tokens = TokenProvider(credentials: credentials, http: http, clock: tokenClock, metrics: metrics, logger: logger)
        var configuration = Self.configuration(for: fake)
        configure(&configuration)
        let transport = GCPTransport(configuration: configuration, tokens: tokens, http: http, clock: clock, metrics: metrics, logger: logger)
        let stack = FakeStack(fake: fake, http: http, tokens: tokens, transport: transport)
        do {
            try await body(stack)
        } catch {
            await http.shutdown()
            await fake.stop()
            throw error
        }
        if !allowViolations {
            #expect(fake.violations.isEmpty, "discovery violations: \(fake.violations)")
        }
        await http.shutdown()
        await fake.stop()
    }
}

let serviceName = "projects/demo/locations/us-central1/services/web"
let jobName = "projects/demo/locations/us-central1/jobs/nightly"
let subscriptionName = "projects/demo/subscriptions/push-sub"
let entitlementName = "providers/demo/entitlements/ent-1"
let planChangeEntitlementName = "providers/demo/entitlements/ent-2"
let accountName = "providers/demo/accounts/acct-1"
