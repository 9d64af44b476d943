import AutonomicsCore
import GCP
import Logging
import Synchronization

/// The governor's effects on Google Cloud: actions through the ``Actuator`` (bounded, one per tenant, each result
/// handed back to the request's own completion), Procurement calls through the Procurement client.
final class CloudEffects: GovernorEffects {
    private let procurement: ProcurementClient
    private let logger: Logger
    private let now: @Sendable () -> Int64
    private let completions = Completions()
    /// The actuator, a service of the worker's group.
    let service: Actuator

    /// Each request's completion until its result arrives.
    private final class Completions: Sendable {
        let pending = Mutex<[String: @Sendable (ActionResult) -> Void]>([:])
    }

    /// - Parameter makeActuator: builds the actuator around the completion that routes its results back here.
    init(
        procurement: ProcurementClient, logger: Logger, now: @escaping @Sendable () -> Int64,
        makeActuator: (@escaping Actuator.Completion) -> Actuator
    ) {
        self.procurement = procurement
        self.logger = logger
        self.now = now
        service = makeActuator { [completions] result, _ in
            let completion = completions.pending.withLock { $0.removeValue(forKey: result.requestID) }
            completion?(result)
        }
    }

    func perform(_ request: ActionRequest, completion: @escaping @Sendable (ActionResult) -> Void) {
        let isNew = completions.pending.withLock { pending in
            guard pending[request.id] == nil else { return false }
            pending[request.id] = completion
            return true
        }
        guard isNew else {
            // An earlier request with this id (from before a restart or a rebalance) is still running: its result
            // must not be taken for this one's.
            completion(ActionResult(requestID: request.id, outcome: .failed, httpStatus: nil, googleStatus: "ABORTED", time: now()))
            return
        }
        service.submit(request)
    }

    func perform(_ request: ProcurementRequest) {
        let name = request.entitlementID
        Task { [procurement, logger] in
            do {
                switch request.call {
                case .approve: try await procurement.approveEntitlement(name)
                case .reject(let reason): try await procurement.rejectEntitlement(name, reason: reason)
                case .approvePlanChange(let plan): try await procurement.approvePlanChange(name, pendingPlanName: plan)
                case .rejectPlanChange(let plan, let reason):
                    try await procurement.rejectPlanChange(name, pendingPlanName: plan, reason: reason)
                }
                logger.info("Procurement call made", metadata: ["procurement.call": "\(request.call)", "entitlement.name": "\(name)"])
            } catch {
                // The entitlement stays as it was; its next Marketplace event (or an operator) takes it up again.
                logger.error("Procurement call failed", metadata: [
                    "procurement.call": "\(request.call)", "entitlement.name": "\(name)", "error": "\(error)",
                ])
            }
        }
    }
}
