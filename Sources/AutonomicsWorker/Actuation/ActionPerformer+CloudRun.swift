import AutonomicsCore
import GCP

/// The Cloud Run adapters: each PATCHes only the field it owns (`updateMask`), with the etag just read; a conflict
/// (409) reads and decides again (``CloudRunClient/updateService(_:updateMask:maxConflictRetries:change:)``).
extension ActionPerformer {
    /// Service-level `scaling.maxInstanceCount`: takes effect at once and makes no revision.
    func throttle(_ request: ActionRequest, _ preAction: PreActionValue) async throws(ActionFailure) -> ActionReport {
        guard let limit = request.parameters[Self.maxInstancesParameter]?.int64Value, (1...Int64(Int32.max)).contains(limit)
        else {
            throw ActionFailure(
                googleStatus: "INVALID_ARGUMENT",
                reason: "the request has no \(Self.maxInstancesParameter) parameter between 1 and \(Int32.max)")
        }
        let operation = try await self.gcp { () async throws(GCPError) in
            try await self.run.updateService(request.target, updateMask: ["scaling.maxInstanceCount"]) { current in
                let old = current.scaling?.maxInstanceCount
                preAction.record(["max_instance_count": old.map { .integer(Int64($0)) } ?? .null])
                return old == Int(limit) ? nil : CloudRunService(scaling: .init(maxInstanceCount: Int(limit)))
            }
        }
        return try await self.completed(operation, preAction)
    }

    /// All traffic to the newest ready revision older than the latest ready one. Relative to the latest, not to what
    /// serves now, so that a repeat pins the same revision rather than stepping further back.
    func rollback(_ request: ActionRequest, _ preAction: PreActionValue) async throws(ActionFailure) -> ActionReport {
        let revisions = try await self.allRevisions(of: request.target)
        var missingTarget: String?
        let operation = try await self.gcp { () async throws(GCPError) in
            try await self.run.updateService(request.target, updateMask: ["traffic"]) { current in
                missingTarget = nil
                preAction.record(["traffic": (try? Self.json(current.traffic ?? [])) ?? .null])
                guard let previous = Self.revision(before: current.latestReadyRevision, in: revisions) else {
                    missingTarget = "no ready revision older than \(current.latestReadyRevision ?? "the latest") to roll back to"
                    return nil
                }
                let pinned = [CloudRunService.TrafficTarget(type: CloudRunService.TrafficTarget.revision, revision: previous, percent: 100)]
                return current.traffic == pinned ? nil : CloudRunService(traffic: pinned)
            }
        }
        if let missingTarget { throw ActionFailure(googleStatus: "FAILED_PRECONDITION", reason: missingTarget) }
        return try await self.completed(operation, preAction)
    }

    /// Pins `traffic[]` to the revisions serving now (`trafficStatuses`, a `LATEST` entry replaced by the revision it
    /// reaches), so that a new deploy gets no traffic. A split already without `LATEST` is frozen.
    func freeze(_ request: ActionRequest, _ preAction: PreActionValue) async throws(ActionFailure) -> ActionReport {
        var missingStatus: String?
        let operation = try await self.gcp { () async throws(GCPError) in
            try await self.run.updateService(request.target, updateMask: ["traffic"]) { current in
                missingStatus = nil
                let traffic = current.traffic ?? []
                preAction.record(["traffic": (try? Self.json(traffic)) ?? .null])
                // An empty split means 100 % to the latest: not frozen.
                if !traffic.isEmpty, traffic.allSatisfy({ $0.type == CloudRunService.TrafficTarget.revision }) { return nil }
                let latest = current.latestReadyRevision.flatMap { $0.split(separator: "/").last.map(String.init) }
                let pinned = (current.trafficStatuses ?? []).map { status in
                    CloudRunService.TrafficTarget(
                        type: CloudRunService.TrafficTarget.revision, revision: status.revision ?? latest,
                        percent: status.percent, tag: status.tag)
                }
                guard !pinned.isEmpty, pinned.allSatisfy({ $0.revision != nil }) else {
                    missingStatus = "the service reports no revisions serving traffic (trafficStatuses) to pin"
                    return nil
                }
                return CloudRunService(traffic: pinned)
            }
        }
        if let missingStatus { throw ActionFailure(googleStatus: "FAILED_PRECONDITION", reason: missingStatus) }
        return try await self.completed(operation, preAction)
    }

    /// Unchanged when nothing was patched; otherwise waits for the patch's operation to be done.
    private func completed(_ operation: CloudRunOperation?, _ preAction: PreActionValue) async throws(ActionFailure) -> ActionReport {
        guard let operation else { return .unchanged(preAction.value) }
        _ = try await self.gcp { () async throws(GCPError) in
            try await self.run.waitForOperation(
                operation, timeout: self.operationTimeout, pollInterval: self.operationPollInterval)
        }
        return .changed(preAction.value)
    }

    /// Every revision of `service`, page by page (bounded, should a server repeat a page token).
    private func allRevisions(of service: String) async throws(ActionFailure) -> [CloudRunRevision] {
        var revisions: [CloudRunRevision] = []
        var pageToken: String?
        for _ in 0..<100 {
            let page = try await self.gcp { () async throws(GCPError) in
                try await self.run.listRevisions(service: service, pageToken: pageToken)
            }
            revisions += page.revisions ?? []
            guard let next = page.nextPageToken, !next.isEmpty else { return revisions }
            pageToken = next
        }
        throw ActionFailure(googleStatus: "INTERNAL", reason: "\(service) lists more than 100 pages of revisions")
    }

    /// The short name of the newest ready revision created before `latest` (a full revision name).
    static func revision(before latest: String?, in revisions: [CloudRunRevision]) -> String? {
        func created(_ revision: CloudRunRevision) -> Int64? { revision.createTime.flatMap(RFC3339.parse) }
        guard let latest, let latestCreated = revisions.first(where: { $0.name == latest }).flatMap(created) else {
            return nil
        }
        let ready = revisions.filter { revision in
            revision.conditions?.contains { $0.type == "Ready" && $0.state == "CONDITION_SUCCEEDED" } == true
        }
        return ready.compactMap { revision in created(revision).map { (revision, $0) } }
            .filter { $0.1 < latestCreated }
            .max { $0.1 < $1.1 }?.0.shortName
    }
}
