import AutonomicsCore
import GCP
import Synchronization

/// What performing one action found and did, before the actuator stamps it with a time as an ``ActionResult``.
struct ActionReport: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        /// The target was written.
        case changed
        /// The target already held the value: nothing was written.
        case unchanged
        /// Nothing was called: the actuator runs dry.
        case dryRun = "dry_run"
        case failed
    }

    var kind: Kind
    /// The HTTP status of the last attempt; nil when no response came or nothing was called.
    var httpStatus: Int?
    /// Google's status, or the canonical code closest to a local cause (see ``ActionFailure``).
    var googleStatus: String?
    /// What the target held before, as an object keyed by what was read (e.g. `max_instance_count`).
    var preActionValue: JSONValue?
    /// Why it failed, for the log.
    var failureReason: String?

    /// Every call of these adapters answers 200 when it succeeds.
    static func changed(_ preActionValue: JSONValue?) -> ActionReport {
        ActionReport(kind: .changed, httpStatus: 200, preActionValue: preActionValue)
    }

    /// Marks the pre-action value `"unchanged": true`, so that the receipt records that nothing was written.
    static func unchanged(_ preActionValue: JSONValue?) -> ActionReport {
        var value = preActionValue?.objectValue ?? [:]
        value["unchanged"] = true
        return ActionReport(kind: .unchanged, httpStatus: 200, preActionValue: .object(value))
    }

    /// `{"dry_run": true}` as the pre-action value: the receipt says that nothing was read or written.
    static let dryRun = ActionReport(kind: .dryRun, preActionValue: ["dry_run": true])

    static func failed(_ failure: ActionFailure, preActionValue: JSONValue?) -> ActionReport {
        ActionReport(
            kind: .failed, httpStatus: failure.httpStatus, googleStatus: failure.googleStatus,
            preActionValue: preActionValue, failureReason: failure.reason)
    }

    var outcome: ActionResult.Outcome { self.kind == .failed ? .failed : .succeeded }
}

/// Why an action failed. ``googleStatus`` is always a canonical code: Google's own when its answer had one, else
/// the closest to the local cause, with ``httpStatus`` nil to show that Google did not say it.
struct ActionFailure: Error, Sendable {
    var httpStatus: Int?
    var googleStatus: String
    var reason: String

    init(googleStatus: String, reason: String) {
        self.googleStatus = googleStatus
        self.reason = reason
    }

    init(_ error: GCPError) {
        self.httpStatus = error.httpStatus
        self.reason = error.description
        if let status = error.status, error.code == .http {
            self.googleStatus = status
            return
        }
        switch error.code {
        // An error status without Google's envelope (a proxy's page): the HTTP status says more.
        case .http: self.googleStatus = "UNKNOWN"
        case .transport, .circuitOpen: self.googleStatus = "UNAVAILABLE"
        case .credentials: self.googleStatus = "UNAUTHENTICATED"
        case .deadlineExceeded, .operationTimeout: self.googleStatus = "DEADLINE_EXCEEDED"
        case .invalidName: self.googleStatus = "INVALID_ARGUMENT"
        case .cancelled: self.googleStatus = "CANCELLED"
        // A failed operation's status is Google's (`code N`), kept as it came.
        case .operationFailed: self.googleStatus = error.status ?? "UNKNOWN"
        default: self.googleStatus = "INTERNAL"
        }
    }
}

/// The target's value before the action, kept as soon as it is read: an action cut short by its deadline after
/// reading (or after writing) still reports it, so that the governor can revert.
final class PreActionValue: Sendable {
    private let stored = Mutex<JSONValue?>(nil)

    var value: JSONValue? { self.stored.withLock { $0 } }

    func record(_ value: JSONValue) {
        self.stored.withLock { $0 = value }
    }
}
