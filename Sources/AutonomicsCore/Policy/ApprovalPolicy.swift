/// Which Marketplace plans are approved automatically, and which rejected with what reason.
public struct ApprovalPolicy: Sendable, Hashable {
    public let automaticallyApproved: Set<String>
    /// Plan → the reason sent with the rejection.
    public let rejected: [String: String]
    /// What happens to a plan named in neither list.
    public let unlisted: Decision

    /// The policy's answer for one plan.
    public enum Decision: Sendable, Hashable {
        case approve
        case reject(reason: String)
        /// Left for a person to approve or reject in the Producer Portal.
        case manual
    }

    public func decision(forPlan plan: String) -> Decision {
        if automaticallyApproved.contains(plan) { return .approve }
        if let reason = rejected[plan] { return .reject(reason: reason) }
        return unlisted
    }
}
