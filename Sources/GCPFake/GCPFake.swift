import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import _CryptoExtras

/// A loopback fake of Cloud Run v2, Cloud Scheduler v1, Pub/Sub v1, Partner Procurement v1, the OAuth2 token
/// endpoint and the metadata server, on one port of 127.0.0.1.
///
/// It judges every request against Google's discovery documents (verb and path template, declared query
/// parameters, `updateMask` paths, body field names and types) and records each problem in ``violations``;
/// accepts only bearer tokens it issued and that have not expired; verifies JWT assertions (RS256 with the
/// public half of the key it generated, `kid`, `iss`, `aud`, lifetime ≤ 3600 s); keeps the state of services,
/// revisions, operations, jobs, subscriptions, entitlements and accounts; answers with the real shapes; and
/// injects faults on command (``inject(_:api:pathContains:times:)``).
public final class GCPFake: Sendable {
    struct PendingFault {
        var fault: GCPFakeFault
        var api: GCPFakeAPI?
        var pathContains: String?
        var remaining: Int
    }

    struct Operation {
        var resource: FakeJSON
        var service: String
        var pollsLeft: Int
    }

    struct State {
        var resources: [String: FakeJSON] = [:]
        var operations: [String: Operation] = [:]
        var tokens: [String: Date] = [:]
        var faults: [PendingFault] = []
        var requests: [GCPFakeRequest] = []
        var violations: [String] = []
        var apiRequestsInFlight = 0
        var maxAPIRequestsInFlight = 0
        var counter = 0
        var tokenLifetime = 3599
        var operationPolls = 1
    }

    /// The generated service account's email.
    public let serviceAccountEmail = "autonomics@fake-project.iam.gserviceaccount.com"
    /// The generated key's id (the JWT `kid`).
    public let privateKeyID: String
    /// The `authorized_user` client id.
    public let userClientID = "fake-client.apps.googleusercontent.com"
    let userClientSecret: String
    let userRefreshToken: String
    let privateKey: _RSA.Signing.PrivateKey
    let documents: [GCPFakeAPI: DiscoveryDocument]
    let state = Mutex(State())
    private let boundPort = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    var stoppingValue: Bool { self.stopping.load(ordering: .relaxed) }
    private let server = Mutex<Task<Void, Never>?>(nil)

    private init() throws {
        self.privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.privateKeyID = Self.randomHex(20)
        self.userClientSecret = Self.randomHex(12)
        self.userRefreshToken = "1//" + Self.randomHex(24)
        self.documents = try Self.loadedDocuments.get()
    }

    /// Parsed once per process: every fake judges by the same documents.
    private static let loadedDocuments = Result { () throws -> [GCPFakeAPI: DiscoveryDocument] in
        var documents: [GCPFakeAPI: DiscoveryDocument] = [:]
        for api in GCPFakeAPI.allCases {
            if let name = api.discoveryName { documents[api] = try DiscoveryDocument(resource: name) }
        }
        return documents
    }

    /// Starts the fake on `host:port` (port 0: any free port) and returns once it listens.
    public static func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger? = nil) async throws -> GCPFake {
        let fake = try GCPFake()
        var quiet = logger ?? Logger(label: "autonomics.gcp-fake")
        if logger == nil { quiet.logLevel = .critical }  // stopping logs cancellation as errors
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await fake.respond(to: request) },
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? port) },
            logger: quiet)
        let task = Task {
            do {
                try await application.runService(gracefulShutdownSignals: [])
            } catch {
                quiet.error("The fake's server stopped", metadata: ["error.message": "\(error)"])
            }
            continuation.finish()
        }
        fake.server.withLock { $0 = task }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the fake could not listen on \(host):\(port)"])
        }
        fake.boundPort.store(bound, ordering: .releasing)
        return fake
    }

    /// Stops the server; hanging requests end at once.
    public func stop() async {
        self.stopping.store(true, ordering: .relaxed)
        let task = self.server.withLock { task in defer { task = nil }; return task }
        task?.cancel()
        await task?.value
    }

    // MARK: Addresses

    /// The port it listens on.
    public var port: Int { self.boundPort.load(ordering: .acquiring) }
    /// `127.0.0.1:PORT`, for `GCE_METADATA_HOST`.
    public var metadataHost: String { "127.0.0.1:\(self.port)" }
    /// The token endpoint, the `token_uri` of the keys it writes.
    public var tokenURI: String { "http://127.0.0.1:\(self.port)/token" }

    /// The base URL of an API, e.g. `http://127.0.0.1:PORT/run/`.
    public func endpoint(_ api: GCPFakeAPI) -> String { "http://127.0.0.1:\(self.port)/\(api.rawValue)/" }

    /// The generated key as a `service_account` JSON key file, with `token_uri` pointing at the fake.
    public var serviceAccountKeyJSON: [UInt8] {
        let key: FakeJSON = [
            "type": "service_account", "project_id": "fake-project", "private_key_id": .string(self.privateKeyID),
            "private_key": .string(self.privateKey.pkcs8PEMRepresentation), "client_email": .string(self.serviceAccountEmail),
            "client_id": "100000000000000000001", "token_uri": .string(self.tokenURI),
        ]
        return key.bytes
    }

    /// An `authorized_user` file as gcloud writes it, with `token_uri` pointing at the fake.
    public var authorizedUserJSON: [UInt8] {
        let user: FakeJSON = [
            "type": "authorized_user", "client_id": .string(self.userClientID),
            "client_secret": .string(self.userClientSecret), "refresh_token": .string(self.userRefreshToken),
            "token_uri": .string(self.tokenURI),
        ]
        return user.bytes
    }

    /// The variables that point `autonomics` (and google-auth) at this fake, given where its service-account key
    /// was written: the four `AUTONOMICS_GCP_*_ENDPOINT`s, `GOOGLE_APPLICATION_CREDENTIALS` and `GCE_METADATA_HOST`.
    public func environment(keyFile: String) -> [(name: String, value: String)] {
        [
            ("AUTONOMICS_GCP_RUN_ENDPOINT", self.endpoint(.run)),
            ("AUTONOMICS_GCP_SCHEDULER_ENDPOINT", self.endpoint(.scheduler)),
            ("AUTONOMICS_GCP_PUBSUB_ENDPOINT", self.endpoint(.pubsub)),
            ("AUTONOMICS_GCP_PROCUREMENT_ENDPOINT", self.endpoint(.procurement)),
            ("GOOGLE_APPLICATION_CREDENTIALS", keyFile),
            ("GCE_METADATA_HOST", self.metadataHost),
        ]
    }

    /// The PEM public key of the generated service account key.
    public var publicKeyPEM: String { self.privateKey.publicKey.pemRepresentation }

    // MARK: Test controls

    /// Seconds each issued token lives (its `expires_in`). Default: 3599.
    public var tokenLifetime: Int {
        get { self.state.withLock { $0.tokenLifetime } }
        set { self.state.withLock { $0.tokenLifetime = newValue } }
    }

    /// How many `operations.get` a Cloud Run operation answers `done: false` before it is done. Default: 1.
    public var operationPolls: Int {
        get { self.state.withLock { $0.operationPolls } }
        set { self.state.withLock { $0.operationPolls = newValue } }
    }

    /// Queues a fault for the next `times` requests to `api` (any API or token endpoint when `nil`) whose path
    /// contains `pathContains` (any when `nil`).
    public func inject(_ fault: GCPFakeFault, api: GCPFakeAPI? = nil, pathContains: String? = nil, times: Int = 1) {
        self.state.withLock { $0.faults.append(PendingFault(fault: fault, api: api, pathContains: pathContains, remaining: times)) }
    }

    /// Forgets every issued token: the next API call with one gets 401.
    public func revokeAllTokens() {
        self.state.withLock { $0.tokens = [:] }
    }

    /// Every request so far, in order of arrival.
    public var requests: [GCPFakeRequest] { self.state.withLock { $0.requests } }

    /// Every discovery-document, token or protocol violation so far; a correct client causes none.
    public var violations: [String] { self.state.withLock { $0.violations } }

    /// The most requests to the four APIs (not the token endpoint or metadata server) being answered at once.
    public var maxAPIRequestsInFlight: Int { self.state.withLock { $0.maxAPIRequestsInFlight } }

    /// Requests to the token endpoint and the metadata server's token path.
    public var tokenRequestCount: Int {
        self.requests.filter { $0.api == .token || ($0.api == .metadata && $0.path.hasSuffix("/token")) }.count
    }

    /// Stores a resource under its full name, replacing any.
    public func put(_ name: String, _ resource: FakeJSON) {
        var resource = resource
        resource["name"] = .string(name)
        self.state.withLock { $0.resources[name] = resource }
    }

    /// Forgets a resource, as Google does a deleted one: a GET of it then answers 404.
    public func remove(_ name: String) {
        _ = self.state.withLock { $0.resources.removeValue(forKey: name) }
    }

    /// The stored resource, as the fake would answer a GET.
    public func resource(_ name: String) -> FakeJSON? {
        self.state.withLock { $0.resources[name] }
    }

    static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
