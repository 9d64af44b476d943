import AutonomicsCore
import Logging

/// `governor.actions = "dry-run"`: every action and Procurement call is logged as what would be done, nothing is
/// called, and each action reports success at once, so the tenant's machines go on as if it had been performed.
struct DryRunEffects: GovernorEffects {
    let logger: Logger
    let now: @Sendable () -> Int64

    func perform(_ request: ActionRequest, completion: @escaping @Sendable (ActionResult) -> Void) {
        logger.info("dry run: action not performed", metadata: [
            "tenant.id": "\(request.tenantID)", "action.request_id": "\(request.id)", "action.name": "\(request.action)",
            "action.adapter": "\(request.adapter.name)", "action.target": "\(request.target)",
            "action.parameters": "\(request.parameters)",
        ])
        completion(ActionResult(requestID: request.id, outcome: .succeeded, httpStatus: nil, googleStatus: "DRY_RUN", time: now()))
    }

    func perform(_ request: ProcurementRequest) {
        logger.info("dry run: Procurement call not made", metadata: [
            "entitlement.id": "\(request.entitlementID)", "procurement.call": "\(request.call)",
        ])
    }
}
