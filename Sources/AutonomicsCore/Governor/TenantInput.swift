/// What a tenant's machines decide on. Each input carries its own time (milliseconds since the epoch): the machines
/// never read a clock, so replaying the same inputs gives the same decisions.
public enum TenantInput: Sendable, Hashable {
    case signal(TenantSignal)
    /// The entitlement as the Procurement API returned it: Marketplace messages are only pointers to it.
    case entitlement(EntitlementSnapshot)
    case actionResult(ActionResult)
    /// Trusted because it was read from `autonomics.control` (whose ACLs admit operators only), keyed by the
    /// tenant; the worker builds it from that topic and nothing else.
    case operatorCommand(OperatorCommand)

    /// When the input happened: the time its receipts carry, so that a replay writes the same bytes.
    public var time: Int64 {
        switch self {
        case .signal(let signal): signal.time
        case .entitlement(let snapshot): snapshot.time
        case .actionResult(let result): result.time
        case .operatorCommand(let command): command.time
        }
    }
}

/// One metric value of a tenant.
public struct TenantSignal: Sendable, Hashable {
    public var eventID: String
    /// As received: a canonical metric name or an alias of the spec's vocabulary.
    public var metric: String
    /// The value's exact JSON number lexeme, 0–100.
    public var value: String
    public var time: Int64

    public init(eventID: String, metric: String, value: String, time: Int64) {
        self.eventID = eventID
        self.metric = metric
        self.value = value
        self.time = time
    }

    /// The signal a normalized event carries: a direct signal, or an open Cloud Monitoring incident with a metric
    /// type and an observed value (an alias in the spec's vocabulary maps the type). Nil for anything else.
    public init?(_ event: NormalizedEvent) {
        let keys: (metric: String, value: String)
        switch event.format {
        case .signal: keys = ("metric", "value")
        case .monitoring where event.data["state"] == "open": keys = ("metric_type", "observed_value")
        default: return nil
        }
        self.init(
            eventID: event.eventID, metric: event.data[keys.metric]?.stringValue, value: event.data[keys.value]?.stringValue,
            time: event.eventTime)
    }
}

/// An entitlement read from the Procurement API (`GET providers/{p}/entitlements/{e}`).
public struct EntitlementSnapshot: Sendable, Hashable {
    /// The entitlement's resource name, `providers/{provider}/entitlements/{id}`: what Procurement calls take.
    public var entitlementID: String
    public var state: Tenant.EntitlementMachine.State
    /// The plan in force; nil keeps the one known before (a deleted entitlement may have none).
    public var plan: String?
    /// `newPendingPlan`: the plan a pending change would switch to.
    public var newPendingPlan: String?
    /// The entitlement's `updateTime` in milliseconds since the epoch, when the read gave one: a snapshot older than
    /// one already taken is stale (Marketplace events of one entitlement may be resolved in any order).
    public var updateTime: Int64?
    /// The Marketplace event that led to the read, if any.
    public var eventID: String?
    public var time: Int64

    public init(
        entitlementID: String,
        state: Tenant.EntitlementMachine.State,
        plan: String?,
        newPendingPlan: String? = nil,
        updateTime: Int64? = nil,
        eventID: String? = nil,
        time: Int64
    ) {
        self.entitlementID = entitlementID
        self.state = state
        self.plan = plan
        self.newPendingPlan = newPendingPlan
        self.updateTime = updateTime
        self.eventID = eventID
        self.time = time
    }
}

/// How an action request ended, as the actuator reports it.
public struct ActionResult: Sendable, Hashable {
    /// ``ActionRequest/id`` of the request.
    public var requestID: String
    public var outcome: Outcome
    /// The HTTP status of the last attempt, nil when no response came (timeout, connection failure).
    public var httpStatus: Int?
    /// The Google error status (`"ABORTED"`, `"PERMISSION_DENIED"`, …), when the response had one.
    public var googleStatus: String?
    /// What the target held before the action (old max instances, old traffic, old push config), for reverting.
    public var preActionValue: JSONValue?
    public var time: Int64

    public enum Outcome: String, Sendable, Hashable {
        case succeeded
        case failed
    }

    public init(
        requestID: String,
        outcome: Outcome,
        httpStatus: Int?,
        googleStatus: String? = nil,
        preActionValue: JSONValue? = nil,
        time: Int64
    ) {
        self.requestID = requestID
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.googleStatus = googleStatus
        self.preActionValue = preActionValue
        self.time = time
    }
}

/// An operator's command for one tenant.
public struct OperatorCommand: Sendable, Hashable {
    public var commandID: String
    public var kind: Kind
    /// Who issued it, as the control record says; recorded, never used to authorize.
    public var issuedBy: String?
    public var time: Int64

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Take a `refusing` or `degraded` tenant back to `stable`, if its entitlement is active.
        case reset
    }

    public init(commandID: String, kind: Kind, issuedBy: String? = nil, time: Int64) {
        self.commandID = commandID
        self.kind = kind
        self.issuedBy = issuedBy
        self.time = time
    }
}
