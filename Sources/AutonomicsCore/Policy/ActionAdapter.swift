/// A named action of the spec: the adapter that performs it and its parameters.
public struct ActionSpec: Sendable, Hashable {
    public let name: String
    public let adapter: ActionAdapter
}

/// The GCP call behind an action (reference/gcp.md §1–§3). Each is "set to a value", so repeating one is harmless.
public enum ActionAdapter: Sendable, Hashable {
    /// Cloud Run service-level `scaling.maxInstanceCount` (takes effect at once, no new revision).
    case cloudRunThrottle(maxInstances: InstanceLimit)
    /// Cloud Run `traffic[]`: 100 % to the previous ready revision.
    case cloudRunRollback
    /// Cloud Run `traffic[]` pinned to the revisions serving now, so a new deploy gets no traffic.
    case cloudRunFreeze
    /// Cloud Scheduler `jobs.pause`.
    case schedulerPause
    /// Cloud Scheduler `jobs.resume`.
    case schedulerResume
    /// Pub/Sub `modifyPushConfig` with an empty push config (the subscription becomes pull; messages accumulate).
    case pubsubPausePush
    /// Pub/Sub `modifyPushConfig` restoring the push config saved when it was paused.
    case pubsubResumePush

    /// A throttle's instance limit: a number, or a quota of the tenant's tier.
    public enum InstanceLimit: Sendable, Hashable {
        case count(Int64)
        case quota(String)
    }

    /// The adapter's name in the spec and on receipts.
    public var name: String {
        switch self {
        case .cloudRunThrottle: "cloud_run.throttle"
        case .cloudRunRollback: "cloud_run.rollback"
        case .cloudRunFreeze: "cloud_run.freeze"
        case .schedulerPause: "scheduler.pause"
        case .schedulerResume: "scheduler.resume"
        case .pubsubPausePush: "pubsub.pause_push"
        case .pubsubResumePush: "pubsub.resume_push"
        }
    }

    /// The kind of tenant resource the adapter acts on.
    public var resource: TenantResource {
        switch self {
        case .cloudRunThrottle, .cloudRunRollback, .cloudRunFreeze: .service
        case .schedulerPause, .schedulerResume: .job
        case .pubsubPausePush, .pubsubResumePush: .subscription
        }
    }

    /// Every adapter's spec name.
    public static let allNames = samples.map(\.name)

    /// One of each adapter, the throttle with a placeholder limit: what a spec's `adapter` key can name.
    static let samples: [ActionAdapter] = [
        .cloudRunThrottle(maxInstances: .count(1)), .cloudRunRollback, .cloudRunFreeze, .schedulerPause,
        .schedulerResume,
        .pubsubPausePush, .pubsubResumePush,
    ]
}

extension SpecReader {
    /// The adapter this string names, a throttle still with a placeholder limit for the caller to read.
    func adapterSample() throws(SpecError) -> ActionAdapter {
        let name = try string()
        guard let sample = ActionAdapter.samples.first(where: { $0.name == name }) else {
            throw error(
                .invalidValue, expected: "an adapter: " + ActionAdapter.allNames.joined(separator: ", "), found: value)
        }
        return sample
    }
}
