/// Which GCP resources belong to which tenant: name templates with per-tenant overrides, so that 100k tenants need
/// no 100k entries. An action's target always comes from here, never from an event payload.
public struct TenantBindings: Sendable, Hashable {
    /// The `{project}` of the templates.
    public let project: String
    /// The `{region}` of the templates.
    public let region: String
    /// Resource kind → name template with `{project}`, `{region}` and `{tenant_id}` placeholders.
    public let templates: [TenantResource: String]
    /// Tenant id → its exceptions.
    public let overrides: [String: Override]

    /// One tenant's exceptions: another project or region for the templates, or explicit full names.
    public struct Override: Sendable, Hashable {
        public let project: String?
        public let region: String?
        public let names: [TenantResource: String]
    }

    /// The full resource name of a tenant's `resource`.
    /// - Throws: ``BindingError`` when the tenant id is unsafe to substitute or the tenant has no such resource.
    public func target(_ resource: TenantResource, tenantID: String) throws(BindingError) -> String {
        guard Self.isSafeTenantID(tenantID) else {
            throw BindingError(tenantID: tenantID, resource: resource, reason: .unsafeTenantID)
        }
        let override = overrides[tenantID]
        if let name = override?.names[resource] { return name }
        guard let template = templates[resource] else {
            throw BindingError(tenantID: tenantID, resource: resource, reason: .unbound)
        }
        return Self.substitute(
            template, project: override?.project ?? project, region: override?.region ?? region, tenantID: tenantID)
    }

    /// Whether a tenant id can stand in a resource name: 1–256 of `A–Z a–z 0–9 . _ -`, and not `.` or `..`, so
    /// that it can never add a path segment or climb out of one.
    public static func isSafeTenantID(_ tenantID: String) -> Bool {
        isSafeSegment(tenantID)
    }

    /// ``isSafeTenantID(_:)`` for any segment of a resource name.
    static func isSafeSegment(_ segment: some StringProtocol) -> Bool {
        (1...256).contains(segment.utf8.count) && segment != "." && segment != ".."
            && segment.utf8.allSatisfy { safeBytes.contains($0) }
    }

    static func substitute(_ template: String, project: String, region: String, tenantID: String) -> String {
        template.replacing("{project}", with: project).replacing("{region}", with: region)
            .replacing("{tenant_id}", with: tenantID)
    }

    static let safeBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-".utf8)
}

/// The kinds of tenant resource an action can target.
public enum TenantResource: String, Sendable, Hashable, CaseIterable {
    /// A Cloud Run service: `projects/P/locations/R/services/S`.
    case service
    /// A Cloud Scheduler job: `projects/P/locations/R/jobs/J`.
    case job
    /// A Pub/Sub subscription: `projects/P/subscriptions/S`.
    case subscription

    /// The name's segments; nil marks a variable one.
    var shape: [String?] {
        switch self {
        case .service: ["projects", nil, "locations", nil, "services", nil]
        case .job: ["projects", nil, "locations", nil, "jobs", nil]
        case .subscription: ["projects", nil, "subscriptions", nil]
        }
    }

    /// The shape for messages, e.g. `projects/*/locations/*/services/*`.
    public var shapeDescription: String {
        shape.map { $0 ?? "*" }.joined(separator: "/")
    }

    /// Whether `name` has this resource's shape with safe, non-empty variable segments.
    public func matches(_ name: String) -> Bool {
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == shape.count else { return false }
        return zip(segments, shape).allSatisfy { segment, fixed in
            if let fixed { return segment == fixed }
            return TenantBindings.isSafeSegment(segment)
        }
    }
}

/// A tenant whose resource cannot be named.
public struct BindingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var tenantID: String
    public var resource: TenantResource
    public var reason: Reason

    public enum Reason: String, Sendable, Hashable {
        /// The tenant id has characters that could change the resource name's structure.
        case unsafeTenantID = "unsafe_tenant_id"
        /// Neither a template nor an override names this kind of resource.
        case unbound
    }

    public var description: String {
        switch reason {
        case .unsafeTenantID: "tenant id \(JSONValue.string(tenantID)) is not safe in a resource name"
        case .unbound: "tenant \(JSONValue.string(tenantID)) has no \(resource.rawValue) binding"
        }
    }
}
