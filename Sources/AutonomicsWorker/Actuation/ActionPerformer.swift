import AutonomicsCore
import Foundation
import GCP

/// Performs one ``ActionRequest`` on its target through the GCP clients: read, decide, write ("set to a value", so a
/// repeat is harmless), then wait for Cloud Run's long-running operation. A target that already holds the value is
/// not written. Every failure becomes a failed ``ActionReport``; nothing is thrown.
///
/// Pre-action values (what a revert sets back):
///
/// | adapter | pre-action value |
/// |---|---|
/// | `cloud_run.throttle` | `{"max_instance_count": n}` (null: no service-level limit) |
/// | `cloud_run.rollback`, `cloud_run.freeze` | `{"traffic": [...]}`, the service's `traffic[]` as read |
/// | `scheduler.pause`, `scheduler.resume` | `{"state": "ENABLED"}` |
/// | `pubsub.pause_push`, `pubsub.resume_push` | `{"push_config": {...}}` (`{}`: it was a pull subscription) |
///
/// `pubsub.resume_push` restores the request's parameter `push_config`, which is the `push_config` member of the
/// pause's pre-action value.
struct ActionPerformer: Sendable {
    let run: CloudRunClient
    let scheduler: CloudSchedulerClient
    let pubsub: PubSubClient
    /// Longest wait for a Cloud Run operation; the actuator's deadline usually ends it first.
    let operationTimeout: Duration
    let operationPollInterval: Duration

    /// The request parameter that `pubsub.resume_push` restores.
    static let pushConfigParameter = "push_config"
    /// The request parameter of `cloud_run.throttle`, set by the core from the spec.
    static let maxInstancesParameter = "max_instances"

    func perform(_ request: ActionRequest, preAction: PreActionValue) async -> ActionReport {
        do throws(ActionFailure) {
            // The core resolved the target from the bindings; this only guards against a malformed one.
            guard request.adapter.resource.matches(request.target) else {
                throw ActionFailure(
                    googleStatus: "INVALID_ARGUMENT",
                    reason: "target \(request.target) is not a \(request.adapter.resource.shapeDescription)")
            }
            switch request.adapter {
            case .cloudRunThrottle: return try await self.throttle(request, preAction)
            case .cloudRunRollback: return try await self.rollback(request, preAction)
            case .cloudRunFreeze: return try await self.freeze(request, preAction)
            case .schedulerPause: return try await self.setJobState(request, preAction, pause: true)
            case .schedulerResume: return try await self.setJobState(request, preAction, pause: false)
            case .pubsubPausePush: return try await self.setPushConfig(request, preAction, to: .pull)
            case .pubsubResumePush: return try await self.setPushConfig(request, preAction, to: try Self.savedPushConfig(request))
            }
        } catch {
            return .failed(error, preActionValue: preAction.value)
        }
    }

    /// Runs a GCP call, its failure becoming an ``ActionFailure``.
    func gcp<T>(_ call: () async throws(GCPError) -> T) async throws(ActionFailure) -> T {
        do {
            return try await call()
        } catch {
            throw ActionFailure(error)
        }
    }

    // MARK: Cloud Scheduler

    /// `jobs.pause` of an `ENABLED` job, or `jobs.resume` of a `PAUSED` one; a job already there is left alone.
    private func setJobState(
        _ request: ActionRequest, _ preAction: PreActionValue, pause: Bool
    ) async throws(ActionFailure) -> ActionReport {
        let job = try await self.gcp { () async throws(GCPError) in try await self.scheduler.getJob(request.target) }
        preAction.record(["state": job.state.map(JSONValue.string) ?? .null])
        guard job.state != (pause ? "PAUSED" : "ENABLED") else { return .unchanged(preAction.value) }
        // A DISABLED or UPDATE_FAILED job is refused by Google with FAILED_PRECONDITION, which the result carries.
        _ = try await self.gcp { () async throws(GCPError) in
            pause ? try await self.scheduler.pauseJob(request.target) : try await self.scheduler.resumeJob(request.target)
        }
        return .changed(preAction.value)
    }

    // MARK: Pub/Sub

    /// `modifyPushConfig` to `desired` unless the subscription already has it.
    private func setPushConfig(
        _ request: ActionRequest, _ preAction: PreActionValue, to desired: PubSubPushConfig
    ) async throws(ActionFailure) -> ActionReport {
        let subscription = try await self.gcp { () async throws(GCPError) in
            try await self.pubsub.getSubscription(request.target)
        }
        let current = subscription.pushConfig ?? .pull
        preAction.record([Self.pushConfigParameter: try Self.json(current)])
        guard current != desired else { return .unchanged(preAction.value) }
        try await self.gcp { () async throws(GCPError) in
            try await self.pubsub.modifyPushConfig(subscription: request.target, pushConfig: desired)
        }
        return .changed(preAction.value)
    }

    /// The push config a resume restores: the request's `push_config`, which must name an endpoint.
    private static func savedPushConfig(_ request: ActionRequest) throws(ActionFailure) -> PubSubPushConfig {
        guard let saved = request.parameters[pushConfigParameter] else {
            throw ActionFailure(
                googleStatus: "FAILED_PRECONDITION",
                reason: "the request has no \(pushConfigParameter) parameter to restore (the pause's pre-action value)")
        }
        guard let config = Self.decode(PubSubPushConfig.self, saved), config.pushEndpoint?.isEmpty == false else {
            throw ActionFailure(
                googleStatus: "INVALID_ARGUMENT",
                reason: "the \(pushConfigParameter) parameter is not a push config with a pushEndpoint")
        }
        return config
    }

    // MARK: JSON

    /// A GCP model as a JSON value, for a pre-action value. Models hold strings, integers and booleans only, which
    /// receipts can carry.
    static func json(_ value: some Encodable) throws(ActionFailure) -> JSONValue {
        do {
            return try JSONValue.parse(Array(JSONEncoder().encode(value)))
        } catch {
            throw ActionFailure(googleStatus: "INTERNAL", reason: "cannot encode \(type(of: value)) as JSON: \(error)")
        }
    }

    /// A GCP model from a JSON value (a request parameter); nil when it is not one.
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue) -> T? {
        guard let bytes = try? CanonicalJSON.checkedEncode(value) else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(bytes))
    }
}
