/// A Cloud Run service (`GoogleCloudRunV2Service`), with the fields the worker reads or sets. Unknown fields
/// are ignored on read; fields left `nil` are not sent.
public struct CloudRunService: Codable, Sendable, Equatable {
    /// `projects/P/locations/L/services/S`.
    public var name: String?
    public var uid: String?
    /// int64 as a JSON string.
    public var generation: String?
    /// int64 as a JSON string.
    public var observedGeneration: String?
    /// Send the last read one in a PATCH to detect a concurrent change (409 `ABORTED`).
    public var etag: String?
    /// Service-level scaling: takes effect without a new revision.
    public var scaling: Scaling?
    /// The revision template: changing it creates a revision.
    public var template: Template?
    /// Desired traffic split; empty means 100% to the latest ready revision.
    public var traffic: [TrafficTarget]?
    /// Output only: the split in effect.
    public var trafficStatuses: [TrafficTarget]?
    public var latestReadyRevision: String?
    public var latestCreatedRevision: String?
    public var reconciling: Bool?
    public var terminalCondition: Condition?
    public var launchStage: String?

    public init(
        name: String? = nil, etag: String? = nil, scaling: Scaling? = nil, template: Template? = nil,
        traffic: [TrafficTarget]? = nil
    ) {
        self.name = name
        self.etag = etag
        self.scaling = scaling
        self.template = template
        self.traffic = traffic
    }

    public struct Scaling: Codable, Sendable, Equatable {
        public var minInstanceCount: Int?
        public var maxInstanceCount: Int?
        /// `AUTOMATIC` or `MANUAL`.
        public var scalingMode: String?
        public var manualInstanceCount: Int?

        public init(minInstanceCount: Int? = nil, maxInstanceCount: Int? = nil, scalingMode: String? = nil, manualInstanceCount: Int? = nil) {
            self.minInstanceCount = minInstanceCount
            self.maxInstanceCount = maxInstanceCount
            self.scalingMode = scalingMode
            self.manualInstanceCount = manualInstanceCount
        }
    }

    public struct Template: Codable, Sendable, Equatable {
        /// Name of the revision to create: leave `nil` when changing the template (else 409).
        public var revision: String?
        public var maxInstanceRequestConcurrency: Int?
        public var scaling: RevisionScaling?

        public init(revision: String? = nil, maxInstanceRequestConcurrency: Int? = nil, scaling: RevisionScaling? = nil) {
            self.revision = revision
            self.maxInstanceRequestConcurrency = maxInstanceRequestConcurrency
            self.scaling = scaling
        }
    }

    public struct RevisionScaling: Codable, Sendable, Equatable {
        public var minInstanceCount: Int?
        public var maxInstanceCount: Int?

        public init(minInstanceCount: Int? = nil, maxInstanceCount: Int? = nil) {
            self.minInstanceCount = minInstanceCount
            self.maxInstanceCount = maxInstanceCount
        }
    }

    public struct TrafficTarget: Codable, Sendable, Equatable {
        public static let latest = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
        public static let revision = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"

        /// ``latest`` or ``revision``.
        public var type: String?
        /// Short revision name, e.g. `S-00041-abc`, for type ``revision``.
        public var revision: String?
        public var percent: Int?
        public var tag: String?

        public init(type: String? = nil, revision: String? = nil, percent: Int? = nil, tag: String? = nil) {
            self.type = type
            self.revision = revision
            self.percent = percent
            self.tag = tag
        }
    }

    public struct Condition: Codable, Sendable, Equatable {
        public var type: String?
        /// `CONDITION_PENDING`, `CONDITION_RECONCILING`, `CONDITION_FAILED`, `CONDITION_SUCCEEDED`.
        public var state: String?
        public var message: String?
    }
}

/// A revision (`GoogleCloudRunV2Revision`).
public struct CloudRunRevision: Codable, Sendable, Equatable {
    /// `projects/P/locations/L/services/S/revisions/R`.
    public var name: String?
    public var generation: String?
    public var createTime: String?
    public var maxInstanceRequestConcurrency: Int?
    public var scaling: CloudRunService.RevisionScaling?
    public var conditions: [CloudRunService.Condition]?

    /// The short name (`R`) used in traffic targets.
    public var shortName: String? { self.name?.split(separator: "/").last.map(String.init) }
}

/// One page of `revisions.list`.
public struct CloudRunRevisionList: Codable, Sendable, Equatable {
    public var revisions: [CloudRunRevision]?
    public var nextPageToken: String?
}

/// A long-running operation (`GoogleLongrunningOperation`) whose response is a ``CloudRunService``.
public struct CloudRunOperation: Codable, Sendable, Equatable {
    /// `projects/P/locations/L/operations/ID`.
    public var name: String?
    public var done: Bool?
    public var error: Status?
    public var response: CloudRunService?

    /// `GoogleRpcStatus`.
    public struct Status: Codable, Sendable, Equatable {
        public var code: Int?
        public var message: String?
    }
}
