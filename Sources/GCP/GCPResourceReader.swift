import Curl

/// Reads any supported resource by its full name, for `autonomics gcp get`.
public struct GCPResourceReader: Sendable {
    public let transport: GCPTransport

    public init(transport: GCPTransport) {
        self.transport = transport
    }

    /// The API that serves a name: `projects/P/locations/L/services/S[/…]` and `…/operations/O` → Cloud Run,
    /// `projects/P/locations/L/jobs/J` → Scheduler, `projects/P/subscriptions/S` → Pub/Sub,
    /// `providers/P/entitlements/E` or `providers/P/accounts/A` → Procurement.
    public static func api(for name: String) -> GCPAPI? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func shape(_ pattern: [String?]) -> Bool {
            parts.count >= pattern.count && zip(parts, pattern).allSatisfy { part, expected in
                !part.isEmpty && (expected == nil || expected == part)
            }
        }
        if parts.count == 6, shape(["projects", nil, "locations", nil, "jobs", nil]) { return .scheduler }
        if shape(["projects", nil, "locations", nil, "services", nil]) || (parts.count == 6 && shape(["projects", nil, "locations", nil, "operations", nil])) {
            return .run
        }
        if parts.count == 4, shape(["projects", nil, "subscriptions", nil]) { return .pubsub }
        if parts.count == 4, shape(["providers", nil, "entitlements", nil]) || shape(["providers", nil, "accounts", nil]) {
            return .procurement
        }
        return nil
    }

    /// GETs `name` and returns the JSON body as Google sent it.
    public func get(_ name: String) async throws(GCPError) -> [UInt8] {
        guard let api = Self.api(for: name) else {
            throw GCPError(
                code: .invalidName, operation: "get",
                message: "\"\(name)\" is not a name of a Cloud Run service, Scheduler job, Pub/Sub subscription, or Procurement entitlement or account")
        }
        let operation = "\(api.name).get"
        return try await self.transport.send(
            api, "GET", path: "\(api.version)/" + GCPResourceName.path(name, operation: operation), operation: operation
        ).body
    }
}
