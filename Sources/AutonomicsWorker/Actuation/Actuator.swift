import AutonomicsCore
import DequeModule
import GCP
import Logging
import ServiceLifecycle
import Synchronization

/// Performs the governor's ``ActionRequest``s on the tenants' own resources (Cloud Run, Cloud Scheduler, Pub/Sub)
/// and hands each ``ActionResult`` back through `completion`, which the governor shard posts into its mailbox.
///
/// - At most ``Configuration/maxConcurrent`` actions run at once; later ones wait in arrival order. The wait is
///   bounded by the number of tenants, since each tenant has at most one request here.
/// - At most one per tenant: a request for a tenant with one queued or running is refused at once with a failed
///   result (`ABORTED`, no HTTP status). The core never sends two; this guards the one-in-flight rule.
/// - Each action must finish within ``Configuration/actionDeadline``; else it is cancelled and fails with
///   `DEADLINE_EXCEEDED`, keeping any pre-action value already read.
/// - ``Configuration/dryRun``: nothing is called, not even a read; each request is logged and succeeds with the
///   pre-action value `{"dry_run": true}`.
/// - Never throws: every failure is a failed result whose `googleStatus` is Google's status, or the canonical code
///   closest to a local cause with `httpStatus` nil.
///
/// As a `Service`, graceful shutdown stops accepting (later requests are dropped), gives actions in flight up to
/// ``Configuration/shutdownGrace``, then cancels them. Requests still waiting and actions cut short get no result:
/// their tenants' state still has them in flight, so whichever process restores the tenant re-issues them, which is
/// harmless since every action sets a value. A failed result would instead degrade the tenant on every deploy.
///
/// Calls go through the GCP clients (libcurl on its own thread), so actions run as plain tasks and never block
/// the cooperative pool.
public final class Actuator: Service, Sendable {
    public typealias Completion = @Sendable (_ result: ActionResult, _ tenantID: String) -> Void

    public struct Configuration: Sendable {
        /// Most actions in flight at once, across all tenants (1…). Default: `10`.
        public var maxConcurrent: Int = 10
        /// Longest one action may take, reads, retries and operation polling included. Default: 30 s.
        public var actionDeadline: Duration = .seconds(30)
        /// How often a Cloud Run operation is polled until done. Default: 1 s.
        public var operationPollInterval: Duration = .seconds(1)
        /// How long graceful shutdown waits for actions in flight before cancelling them. Default: 10 s.
        public var shutdownGrace: Duration = .seconds(10)
        /// Log what would be done and call nothing. Default: `false`.
        public var dryRun: Bool = false

        public init() {}
    }

    private struct State {
        var accepting = true
        /// Tenants with a request waiting or running.
        var busyTenants: Set<String> = []
        var waiting: Deque<ActionRequest> = []
        var running: [Int: Task<Void, Never>] = [:]
        var nextTaskID = 0
    }

    public let configuration: Configuration
    private let performer: ActionPerformer
    private let clock: GCPClock
    private let now: @Sendable () -> Int64
    private let metrics: ActuatorMetrics
    private let logger: Logger
    private let completion: Completion
    private let state = Mutex(State())

    /// - Parameters:
    ///   - clock: Times the deadline, the shutdown grace and the latency metric.
    ///   - now: The results' time, in milliseconds since the epoch (the runtime's clock).
    ///   - completion: Called once for each request, except those dropped or cut short by shutdown; on the action's
    ///     task (or the caller's, for a refusal); must not block.
    public init(
        run: CloudRunClient, scheduler: CloudSchedulerClient, pubsub: PubSubClient,
        configuration: Configuration = Configuration(), clock: GCPClock = .system,
        now: @escaping @Sendable () -> Int64, metrics: ActuatorMetrics = ActuatorMetrics(), logger: Logger,
        completion: @escaping Completion
    ) {
        precondition(configuration.maxConcurrent >= 1, "maxConcurrent must be at least 1")
        self.configuration = configuration
        self.performer = ActionPerformer(
            run: run, scheduler: scheduler, pubsub: pubsub, operationTimeout: configuration.actionDeadline,
            operationPollInterval: configuration.operationPollInterval)
        self.clock = clock
        self.now = now
        self.metrics = metrics
        self.logger = logger
        self.completion = completion
    }

    /// Takes a request: starts it, queues it behind the ones running, or refuses it. Returns at once.
    public func submit(_ request: ActionRequest) {
        enum Admission { case accepted(inFlight: Int), tenantBusy, shuttingDown }
        let admission = self.state.withLock { state -> Admission in
            guard state.accepting else { return .shuttingDown }
            guard state.busyTenants.insert(request.tenantID).inserted else { return .tenantBusy }
            state.waiting.append(request)
            self.startWaiting(&state)
            return .accepted(inFlight: state.running.count)
        }
        let logger = self.actionLogger(request)
        switch admission {
        case .accepted(let inFlight):
            self.metrics.setInFlight(inFlight)
        case .tenantBusy:
            logger.warning("Action refused: the tenant already has one in flight")
            self.metrics.refused(adapter: request.adapter.name)
            self.completion(
                ActionResult(requestID: request.id, outcome: .failed, httpStatus: nil, googleStatus: "ABORTED", time: self.now()),
                request.tenantID)
        case .shuttingDown:
            logger.warning("Action dropped: the actuator is shutting down; the tenant's restore re-issues it")
        }
    }

    /// Waits for graceful shutdown (or cancellation), then stops as the type's documentation says.
    public func run() async {
        try? await gracefulShutdown()
        let (running, dropped) = self.state.withLock { state in
            state.accepting = false
            let dropped = state.waiting
            state.waiting = []
            for request in dropped { state.busyTenants.remove(request.tenantID) }
            return (Array(state.running.values), dropped)
        }
        for request in dropped {
            self.actionLogger(request).warning("Action dropped: the actuator is shutting down; the tenant's restore re-issues it")
        }
        let cancelled = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in running { await task.value }
                return true
            }
            group.addTask {
                // Cancellation of run() ends the grace at once.
                try? await self.clock.sleep(self.configuration.shutdownGrace)
                return false
            }
            let finishedInTime = await group.next() ?? true
            var cancelled = 0
            if !finishedInTime {
                cancelled = self.state.withLock { $0.running.count }
                for task in running { task.cancel() }
            }
            group.cancelAll()
            return cancelled
        }
        self.logger.info("Actuator stopped", metadata: [
            "actuator.cancelled_actions": "\(cancelled)", "actuator.dropped_requests": "\(dropped.count)",
        ])
    }

    /// Starts waiting requests while there is room. Called with the state locked.
    private func startWaiting(_ state: inout State) {
        while state.accepting, state.running.count < self.configuration.maxConcurrent, let request = state.waiting.popFirst() {
            let taskID = state.nextTaskID
            state.nextTaskID += 1
            // The task cannot remove itself before it is stored: that needs the lock held here.
            state.running[taskID] = Task { await self.execute(request, taskID: taskID) }
        }
    }

    private func execute(_ request: ActionRequest, taskID: Int) async {
        let started = self.clock.now()
        let report = await self.performWithinDeadline(request)
        let duration = self.clock.now() - started
        let inFlight = self.state.withLock { state in
            state.running[taskID] = nil
            // Freed before the result is delivered, so that the tenant's next request is not refused.
            state.busyTenants.remove(request.tenantID)
            self.startWaiting(&state)
            return state.running.count
        }
        self.metrics.setInFlight(inFlight)
        let logger = self.actionLogger(request)
        guard let report else {
            logger.warning("Action cancelled by shutdown; the tenant's restore re-issues it")
            return
        }
        self.metrics.performed(adapter: request.adapter.name, kind: report.kind, duration: duration)
        var metadata: Logger.Metadata = ["action.result": "\(report.kind.rawValue)", "action.duration": "\(duration)"]
        if let preActionValue = report.preActionValue { metadata["action.pre_action_value"] = "\(Self.text(preActionValue))" }
        switch report.kind {
        case .changed, .unchanged:
            logger.info("Action performed", metadata: metadata)
        case .dryRun:
            metadata["action.parameters"] = "\(Self.text(.object(request.parameters)))"
            logger.info("Dry run: action not performed", metadata: metadata)
        case .failed:
            metadata["http.response.status_code"] = "\(report.httpStatus.map(String.init) ?? "none")"
            metadata["gcp.status"] = "\(report.googleStatus ?? "none")"
            metadata["error.message"] = "\(report.failureReason ?? "")"
            logger.warning("Action failed", metadata: metadata)
        }
        self.completion(
            ActionResult(
                requestID: request.id, outcome: report.outcome, httpStatus: report.httpStatus,
                googleStatus: report.googleStatus, preActionValue: report.preActionValue, time: self.now()),
            request.tenantID)
    }

    /// The action's report, a `DEADLINE_EXCEEDED` failure if the deadline comes first, or nil when the task was
    /// cancelled (shutdown).
    private func performWithinDeadline(_ request: ActionRequest) async -> ActionReport? {
        if self.configuration.dryRun { return .dryRun }
        let preAction = PreActionValue()
        let report = await withTaskGroup(of: ActionReport?.self) { group in
            group.addTask { await self.performer.perform(request, preAction: preAction) }
            group.addTask {
                do {
                    try await self.clock.sleep(self.configuration.actionDeadline)
                } catch {
                    return nil
                }
                let failure = ActionFailure(
                    googleStatus: "DEADLINE_EXCEEDED", reason: "not done within \(self.configuration.actionDeadline)")
                return .failed(failure, preActionValue: preAction.value)
            }
            let first = await group.next() ?? nil
            // Cancels the slower: the deadline, or the action's transfer in libcurl.
            group.cancelAll()
            return first
        }
        return Task.isCancelled ? nil : report
    }

    /// JSON text for a log line.
    private static func text(_ value: JSONValue) -> String {
        (try? CanonicalJSON.checkedEncode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "(not canonical JSON)"
    }

    private func actionLogger(_ request: ActionRequest) -> Logger {
        var logger = self.logger
        logger[metadataKey: "tenant.id"] = "\(request.tenantID)"
        logger[metadataKey: "action.id"] = "\(request.id)"
        logger[metadataKey: "action.adapter"] = "\(request.adapter.name)"
        logger[metadataKey: "action.target"] = "\(request.target)"
        return logger
    }
}
