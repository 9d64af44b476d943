import AutonomicsCore

/// One raw input event of a scenario, as produced to `autonomics.events`.
public struct ScenarioEvent: Sendable, Hashable {
    /// The record key: the tenant, so that one tenant's events stay in one partition and in order up to the
    /// intake (a Pub/Sub bridge would not key them; a scenario must, to be told in order).
    public let key: String
    /// The event as JSON text.
    public let value: String
}

/// A story told to a running worker: events for the demo tenants (``DemoTenants``) that drive one of its
/// behaviours, with pauses where the worker must catch up and, where Google would change an entitlement itself,
/// that change. Pure data: `autonomics produce --scenario` performs it.
public struct Scenario: Sendable {
    public enum Step: Sendable, Hashable {
        /// Events to produce, in this order.
        case send([ScenarioEvent])
        /// Seconds to wait before the next step, so that the worker has acted on what came before. Entitlement
        /// events wait for a Procurement GET in the intake, so a signal sent right after one could overtake it.
        case pause(seconds: Int)
        /// What Marketplace does on Google's side and no event of ours can do: the members set (null: removed) on
        /// an entitlement of the GCP fake before the notification that announces the change.
        case marketplaceChange(entitlement: String, set: [String: JSONValue])
    }

    /// The name `--scenario` takes.
    public let name: String
    /// One line on what it shows.
    public let summary: String
    /// The tenants it concerns, for the summary `produce` prints.
    public let tenants: [DemoTenant]
    public let steps: [Step]

    /// Every event, in order.
    public var events: [ScenarioEvent] {
        steps.flatMap { step -> [ScenarioEvent] in
            if case .send(let events) = step { return events }
            return []
        }
    }

    /// The Marketplace changes, in order.
    public var marketplaceChanges: [(entitlement: String, set: [String: JSONValue])] {
        steps.compactMap { step in
            if case .marketplaceChange(let entitlement, let members) = step { return (entitlement, members) }
            return nil
        }
    }

    /// The seconds its pauses add up to.
    public var pauseSeconds: Int {
        steps.reduce(0) { total, step in
            if case .pause(let seconds) = step { return total + seconds }
            return total
        }
    }
}

/// Writes a scenario's events with ids and times of their own: ids carry the run's clock, so that a scenario
/// sent twice is not taken for duplicates, and signals lie ten seconds apart, so that no two share the 5-second
/// window the intake derives a signal's id from.
struct ScenarioWriter {
    /// The run's clock, in milliseconds since the epoch.
    let now: Int64
    private(set) var steps: [Scenario.Step] = []
    private var serial: Int64 = 0

    init(now: Int64) {
        self.now = now
    }

    /// A distinct number for the next id and time.
    private mutating func next() -> Int64 {
        serial += 1
        return serial
    }

    /// The time of the event numbered `number`: ten seconds apart, in the ten minutes before `now` (the intake
    /// refuses signals from the future beyond `intake.signal_max_future_seconds`; a scenario has fewer than 60).
    private func time(of number: Int64) -> Int64 {
        now - 600_000 + number * 10_000
    }

    mutating func pause(seconds: Int) {
        steps.append(.pause(seconds: seconds))
    }

    mutating func marketplaceChange(_ tenant: DemoTenant, set members: [String: JSONValue]) {
        steps.append(.marketplaceChange(entitlement: tenant.entitlementName, set: members))
    }

    /// A Marketplace entitlement notification in a Pub/Sub push envelope: a pointer the intake resolves through
    /// the Procurement GET of the tenant's entitlement.
    mutating func marketplace(_ eventType: String, _ tenant: DemoTenant) {
        let number = next()
        let time = RFC3339.format(milliseconds: time(of: number))
        let message: JSONValue = [
            "eventId": .string("\(eventType)-\(tenant.id)-\(now)-\(number)"),
            "eventType": .string(eventType),
            "providerId": .string(DemoTenants.providerID),
            "entitlement": ["id": .string(tenant.entitlementID), "updateTime": .string(time)],
        ]
        let envelope = SampleEvents.pubSubEnvelope(
            wrapping: Self.text(message), messageID: "\(now)\(number)", publishTime: time,
            subscription: "projects/acme-saas-prod/subscriptions/marketplace-entitlements")
        send([ScenarioEvent(key: tenant.id, value: envelope)])
    }

    /// `count` direct signals of `metric` at `value` (a JSON number).
    mutating func signals(_ tenant: DemoTenant, metric: String, value: String, count: Int) {
        let events = (0..<count).map { _ in
            let signal: JSONValue = [
                "tenant_id": .string(tenant.id), "metric": .string(metric), "value": .number(value),
                "timestamp": .string(RFC3339.format(milliseconds: time(of: next()))),
            ]
            return ScenarioEvent(key: tenant.id, value: Self.text(signal))
        }
        send(events)
    }

    /// `count` open Cloud Monitoring incidents (schema 1.2) of `tenant` (its `tenant_id` policy label) on a
    /// percent-valued metric type, about the Cloud Run service `aboutService` in the example spec's template
    /// project: resource labels are what the alert saw, never where an action goes.
    mutating func incidents(
        _ tenant: DemoTenant, metricType: String, observed: String, threshold: String, count: Int, aboutService: String
    ) {
        let resourceProject = "acme-analytics-tenants"
        let events = (0..<count).map { _ in
            let number = next()
            let startedAt = time(of: number) / 1000
            let incident: JSONValue = [
                "version": "1.2",
                "incident": [
                    "incident_id": .string("0.scenario-\(tenant.id)-\(now)-\(number)"),
                    "scoping_project_id": .string(resourceProject),
                    "started_at": .integer(startedAt), "ended_at": nil, "state": "open",
                    "resource_name": .string(aboutService),
                    "resource": [
                        "type": "cloud_run_revision",
                        "labels": [
                            "project_id": .string(resourceProject), "service_name": .string(aboutService),
                            "location": "us-central1",
                        ],
                    ],
                    "metric": ["type": .string(metricType), "displayName": .string(metricType)],
                    "policy_name": .string("tenant-\(tenant.id)-slo"),
                    "policy_user_labels": ["tenant_id": .string(tenant.id)],
                    "condition_name": .string("\(metricType) above \(threshold)"),
                    "threshold_value": .string(threshold), "observed_value": .string(observed),
                    "summary": .string("\(metricType) for \(aboutService) is above \(threshold) with a value of \(observed)."),
                ],
            ]
            return ScenarioEvent(key: tenant.id, value: Self.text(incident))
        }
        send(events)
    }

    private mutating func send(_ events: [ScenarioEvent]) {
        steps.append(.send(events))
    }

    /// `value` as JSON text with its numbers written as they are: a signal's value is a decimal, which canonical
    /// JSON (integers only) cannot hold. Strings are escaped by the canonical encoder.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null, .bool, .string: String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        case .number(let lexeme): lexeme
        case .array(let elements): "[" + elements.map(text).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { text(.string($0.key)) + ":" + text($0.value) }
                .joined(separator: ",") + "}"
        }
    }
}
