/// What handling one event did to one tenant, decided but not yet applied: the receipt to deliver and the state
/// it leads to. ``ReceiptLedger/commit(_:)`` applies it once the receipt is delivered; a step never committed
/// leaves its tenant as it was.
public struct TenantStep: Sendable {
    /// The receipt to deliver; it links to the tenant's head at the time the step was decided.
    public let receipt: Receipt
    /// The event ids that enter the tenant's dedup window when the step is committed.
    let recordedIDs: DedupWindow.EventIDs?

    public var tenantID: String { receipt.tenantID }
    var previous: SHA256Hash { receipt.previous }
}
