/// What the intake accepts; read from configuration.
public struct IntakeSettings: Sendable, Equatable {
    /// The label that names the tenant in a Cloud Monitoring incident's user labels.
    public var monitoringTenantLabel: String = "tenant_id"
    /// How far ahead of the worker's clock a signal's timestamp may be.
    public var signalMaxFutureSkewSeconds: Int64 = 3600
    /// The metrics a signal may report.
    public var knownMetrics: Set<String> = [
        "cpu_utilization", "memory_utilization", "error_rate", "concurrency_utilization",
    ]

    public init() {}
}
