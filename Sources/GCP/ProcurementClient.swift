/// A Marketplace entitlement (`Entitlement`), with the fields the worker uses.
public struct ProcurementEntitlement: Codable, Sendable, Equatable {
    /// `providers/P/entitlements/E`.
    public var name: String?
    /// `providers/P/accounts/A`.
    public var account: String?
    public var provider: String?
    public var product: String?
    public var productExternalName: String?
    public var plan: String?
    public var newPendingPlan: String?
    public var offer: String?
    /// `ENTITLEMENT_ACTIVATION_REQUESTED`, `ENTITLEMENT_ACTIVE`, `ENTITLEMENT_PENDING_CANCELLATION`,
    /// `ENTITLEMENT_CANCELLED`, `ENTITLEMENT_PENDING_PLAN_CHANGE`, `ENTITLEMENT_PENDING_PLAN_CHANGE_APPROVAL`,
    /// `ENTITLEMENT_SUSPENDED`.
    public var state: String?
    public var usageReportingId: String?
    public var cancellationReason: String?
    public var createTime: String?
    public var updateTime: String?

    /// The account id: the last segment of ``account``.
    public var accountID: String? { self.account?.split(separator: "/").last.map(String.init) }
}

/// A Marketplace account (`Account`).
public struct ProcurementAccount: Codable, Sendable, Equatable {
    public var name: String?
    public var provider: String?
    /// `ACCOUNT_ACTIVATION_REQUESTED` or `ACCOUNT_ACTIVE`.
    public var state: String?
    public var approvals: [Approval]?
    public var createTime: String?
    public var updateTime: String?

    public struct Approval: Codable, Sendable, Equatable {
        public var name: String?
        /// `PENDING`, `APPROVED`, `REJECTED`.
        public var state: String?
        public var reason: String?
        public var updateTime: String?
    }
}

/// Cloud Commerce Partner Procurement v1: entitlements get, `:approve`, `:reject`, `:approvePlanChange`;
/// accounts get and `:approve`. The verbs answer `Empty`: read the state again with a GET.
public struct ProcurementClient: Sendable {
    public let transport: GCPTransport

    public init(transport: GCPTransport) {
        self.transport = transport
    }

    /// `GET v1/{name}`, `name` = `providers/P/entitlements/E`.
    public func getEntitlement(_ name: String) async throws(GCPError) -> ProcurementEntitlement {
        try await self.transport.get(.procurement, name: name, operation: "procurement.entitlements.get")
    }

    /// `POST v1/{name}:approve` with `{}`; only from `ENTITLEMENT_ACTIVATION_REQUESTED`.
    public func approveEntitlement(_ name: String) async throws(GCPError) {
        try await self.verb(name, "entitlements", "approve", GCPEmpty())
    }

    /// `POST v1/{name}:reject` with `{"reason": …}` (at most 256 bytes).
    public func rejectEntitlement(_ name: String, reason: String) async throws(GCPError) {
        struct Request: Encodable { var reason: String }
        try await self.verb(name, "entitlements", "reject", Request(reason: reason))
    }

    /// `POST v1/{name}:approvePlanChange` with `{"pendingPlanName": …}` (the entitlement's `newPendingPlan`).
    public func approvePlanChange(_ name: String, pendingPlanName: String) async throws(GCPError) {
        struct Request: Encodable { var pendingPlanName: String }
        try await self.verb(name, "entitlements", "approvePlanChange", Request(pendingPlanName: pendingPlanName))
    }

    /// `POST v1/{name}:rejectPlanChange` with `{"pendingPlanName": …, "reason": …}`.
    public func rejectPlanChange(_ name: String, pendingPlanName: String, reason: String) async throws(GCPError) {
        struct Request: Encodable { var pendingPlanName: String; var reason: String }
        try await self.verb(name, "entitlements", "rejectPlanChange", Request(pendingPlanName: pendingPlanName, reason: reason))
    }

    /// `GET v1/{name}`, `name` = `providers/P/accounts/A`.
    public func getAccount(_ name: String) async throws(GCPError) -> ProcurementAccount {
        try await self.transport.get(.procurement, name: name, operation: "procurement.accounts.get")
    }

    /// `POST v1/{name}:approve` with `{"approvalName": …}` (usually `signup`).
    public func approveAccount(_ name: String, approvalName: String = "signup", reason: String? = nil) async throws(GCPError) {
        struct Request: Encodable {
            var approvalName: String
            var reason: String?
        }
        try await self.verb(name, "accounts", "approve", Request(approvalName: approvalName, reason: reason))
    }

    private func verb(_ name: String, _ collection: String, _ verb: String, _ body: some Encodable) async throws(GCPError) {
        let _: GCPEmpty = try await self.transport.post(
            .procurement, name: name, verb: verb, body: body, operation: "procurement.\(collection).\(verb)")
    }
}
