import AutonomicsCore

/// Where the governor sends what its decisions ask of Google Cloud, once their receipts are delivered. Calls return
/// at once; the work runs elsewhere, never on the shard's thread.
protocol GovernorEffects: Sendable {
    /// Performs an action on the tenant's own resource (the request's target, resolved from the spec's bindings)
    /// and calls `completion` once, from any thread, with its result.
    func perform(_ request: ActionRequest, completion: @escaping @Sendable (ActionResult) -> Void)

    /// Makes a Procurement call. Nothing comes back to the tenant: its outcome arrives as the next Marketplace event.
    func perform(_ request: ProcurementRequest)
}
