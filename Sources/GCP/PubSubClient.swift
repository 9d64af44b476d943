/// A Pub/Sub push configuration (`PushConfig`). All `nil`: the subscription is a pull subscription.
public struct PubSubPushConfig: Codable, Sendable, Equatable {
    public var pushEndpoint: String?
    public var attributes: [String: String]?
    public var oidcToken: OIDCToken?
    public var pubsubWrapper: PubsubWrapper?
    public var noWrapper: NoWrapper?

    public init(
        pushEndpoint: String? = nil, attributes: [String: String]? = nil, oidcToken: OIDCToken? = nil,
        pubsubWrapper: PubsubWrapper? = nil, noWrapper: NoWrapper? = nil
    ) {
        self.pushEndpoint = pushEndpoint
        self.attributes = attributes
        self.oidcToken = oidcToken
        self.pubsubWrapper = pubsubWrapper
        self.noWrapper = noWrapper
    }

    /// No push: what `modifyPushConfig` takes to pause pushing.
    public static let pull = PubSubPushConfig()

    public struct OIDCToken: Codable, Sendable, Equatable {
        public var serviceAccountEmail: String?
        public var audience: String?

        public init(serviceAccountEmail: String? = nil, audience: String? = nil) {
            self.serviceAccountEmail = serviceAccountEmail
            self.audience = audience
        }
    }

    public struct PubsubWrapper: Codable, Sendable, Equatable {
        public init() {}
    }

    public struct NoWrapper: Codable, Sendable, Equatable {
        public var writeMetadata: Bool?

        public init(writeMetadata: Bool? = nil) {
            self.writeMetadata = writeMetadata
        }
    }
}

/// A subscription (`Subscription`), with the fields the worker uses.
public struct PubSubSubscription: Codable, Sendable, Equatable {
    /// `projects/P/subscriptions/S`.
    public var name: String?
    public var topic: String?
    public var pushConfig: PubSubPushConfig?
    public var ackDeadlineSeconds: Int?
    /// `ACTIVE` or `RESOURCE_ERROR`.
    public var state: String?
    public var detached: Bool?
}

/// Pub/Sub v1: subscriptions get and `:modifyPushConfig` (an empty push config pauses pushing; there is no
/// `:pause`).
public struct PubSubClient: Sendable {
    public let transport: GCPTransport

    public init(transport: GCPTransport) {
        self.transport = transport
    }

    /// `GET v1/{subscription}`, `name` = `projects/P/subscriptions/S`.
    public func getSubscription(_ name: String) async throws(GCPError) -> PubSubSubscription {
        try await self.transport.get(.pubsub, name: name, operation: "pubsub.subscriptions.get")
    }

    /// `POST v1/{subscription}:modifyPushConfig` with `{"pushConfig": …}`; ``PubSubPushConfig/pull`` pauses pushing.
    /// Save the old config (``getSubscription(_:)``) first: resuming needs it.
    public func modifyPushConfig(subscription name: String, pushConfig: PubSubPushConfig) async throws(GCPError) {
        struct Request: Encodable { var pushConfig: PubSubPushConfig }
        let _: GCPEmpty = try await self.transport.post(
            .pubsub, name: name, verb: "modifyPushConfig", body: Request(pushConfig: pushConfig),
            operation: "pubsub.subscriptions.modifyPushConfig")
    }
}
