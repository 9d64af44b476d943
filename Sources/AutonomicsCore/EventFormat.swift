/// The kind of input an event was normalized from.
public enum EventFormat: String, Sendable, Hashable, CaseIterable {
    /// A direct metric signal `{"tenant_id","metric","value","timestamp"}`.
    case signal
    /// A Cloud Commerce Partner Procurement notification.
    case marketplace
    /// A Cloud Monitoring incident notification.
    case monitoring
}
