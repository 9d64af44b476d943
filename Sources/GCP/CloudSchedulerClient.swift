/// A Cloud Scheduler job (`Job`), with the fields the worker uses.
public struct SchedulerJob: Codable, Sendable, Equatable {
    /// `projects/P/locations/L/jobs/J`.
    public var name: String?
    public var description: String?
    public var schedule: String?
    public var timeZone: String?
    /// `ENABLED`, `PAUSED`, `DISABLED`, `UPDATE_FAILED`.
    public var state: String?
    public var userUpdateTime: String?
}

/// Cloud Scheduler v1: jobs get, `:pause`, `:resume` (both take `{}` and answer the Job).
public struct CloudSchedulerClient: Sendable {
    public let transport: GCPTransport

    public init(transport: GCPTransport) {
        self.transport = transport
    }

    /// `GET v1/{name}`, `name` = `projects/P/locations/L/jobs/J`.
    public func getJob(_ name: String) async throws(GCPError) -> SchedulerJob {
        try await self.transport.get(.scheduler, name: name, operation: "scheduler.jobs.get")
    }

    /// `POST v1/{name}:pause`. The job must be `ENABLED` (else 400 `FAILED_PRECONDITION`).
    public func pauseJob(_ name: String) async throws(GCPError) -> SchedulerJob {
        try await self.verb(name, "pause")
    }

    /// `POST v1/{name}:resume`. The job must be `PAUSED` (else 400 `FAILED_PRECONDITION`).
    public func resumeJob(_ name: String) async throws(GCPError) -> SchedulerJob {
        try await self.verb(name, "resume")
    }

    private func verb(_ name: String, _ verb: String) async throws(GCPError) -> SchedulerJob {
        try await self.transport.post(.scheduler, name: name, verb: verb, body: GCPEmpty(), operation: "scheduler.jobs.\(verb)")
    }
}
