/// Cloud Run Admin API v2: services get and patch, revisions list, operations get and bounded wait.
public struct CloudRunClient: Sendable {
    public let transport: GCPTransport
    private let clock: GCPClock

    public init(transport: GCPTransport, clock: GCPClock = .system) {
        self.transport = transport
        self.clock = clock
    }

    /// `GET v2/{name}`, `name` = `projects/P/locations/L/services/S`.
    public func getService(_ name: String) async throws(GCPError) -> CloudRunService {
        try await self.transport.get(.run, name: name, operation: "run.services.get")
    }

    /// `PATCH v2/{service.name}?updateMask=…` with only the fields named in `updateMask` (and `etag`, if set).
    /// Answers with the long-running operation.
    public func patchService(_ service: CloudRunService, updateMask: [String]) async throws(GCPError) -> CloudRunOperation {
        let operation = "run.services.patch"
        guard let name = service.name else {
            throw GCPError(code: .invalidName, operation: operation, message: "the service to patch has no name")
        }
        return try await self.transport.call(
            .run, "PATCH", path: "v2/" + GCPResourceName.path(name, operation: operation),
            query: [("updateMask", updateMask.joined(separator: ","))], body: service, operation: operation)
    }

    /// Read, decide, write, with optimistic concurrency: GETs the service, asks `change` for the patch
    /// (`nil`: nothing to do, returns `nil`), PATCHes it with the etag read, and on a conflict (409 / `ABORTED`)
    /// reads again and asks again, at most `maxConflictRetries` times.
    public func updateService(
        _ name: String, updateMask: [String], maxConflictRetries: Int = 3,
        change: (CloudRunService) -> CloudRunService?
    ) async throws(GCPError) -> CloudRunOperation? {
        var conflicts = 0
        while true {
            let current = try await self.getService(name)
            guard var patch = change(current) else { return nil }
            patch.name = name
            patch.etag = current.etag
            do {
                return try await self.patchService(patch, updateMask: updateMask)
            } catch where error.isConflict && conflicts < maxConflictRetries {
                conflicts += 1
            }
        }
    }

    /// `GET v2/{parent}/revisions`, `parent` = the service name.
    public func listRevisions(service: String, pageSize: Int? = nil, pageToken: String? = nil) async throws(GCPError) -> CloudRunRevisionList {
        var query: [(String, String)] = []
        if let pageSize { query.append(("pageSize", String(pageSize))) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        return try await self.transport.get(
            .run, name: service, suffix: "/revisions", query: query, operation: "run.services.revisions.list")
    }

    /// `GET v2/{name}`, `name` = `projects/P/locations/L/operations/ID`.
    public func getOperation(_ name: String) async throws(GCPError) -> CloudRunOperation {
        try await self.transport.get(.run, name: name, operation: "run.operations.get")
    }

    /// Polls `operation` until done, at most for `timeout`, every `pollInterval`.
    ///
    /// - Returns: The done operation.
    /// - Throws: ``GCPError/Code/operationFailed`` with the operation's error, or
    ///   ``GCPError/Code/operationTimeout`` when it is not done in time.
    public func waitForOperation(
        _ operation: CloudRunOperation, timeout: Duration = .seconds(120), pollInterval: Duration = .seconds(1)
    ) async throws(GCPError) -> CloudRunOperation {
        let deadline = self.clock.now() + timeout
        var current = operation
        while true {
            if current.done == true {
                if let error = current.error {
                    throw GCPError(
                        code: .operationFailed, operation: "run.operations.get", httpStatus: nil,
                        status: error.code.map { "code \($0)" }, message: error.message ?? "the operation failed")
                }
                return current
            }
            guard let name = current.name else {
                throw GCPError(code: .decoding, operation: "run.operations.get", message: "the operation has no name")
            }
            guard self.clock.now() + pollInterval < deadline else {
                throw GCPError(code: .operationTimeout, operation: "run.operations.get", message: "\(name) not done within \(timeout)")
            }
            do {
                try await self.clock.sleep(pollInterval)
            } catch {
                throw GCPError(code: .cancelled, operation: "run.operations.get", message: "cancelled while waiting for \(name)")
            }
            current = try await self.getOperation(name)
        }
    }
}
