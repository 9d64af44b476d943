/// One policy rule: when a metric stays above a threshold for enough consecutive signals, each tier gets its outcome.
public struct PolicyRule: Sendable, Hashable {
    public let name: String
    /// The canonical metric name.
    public let metric: String
    /// The threshold's exact decimal lexeme; a value strictly above it is high.
    public let above: String
    /// How many high values in a row fire the rule (1 fires on the first).
    public let consecutive: Int
    /// Tier name → outcome; every tier of the spec has one.
    public let outcomes: [String: RuleOutcome]

    /// Whether `value` (a JSON number lexeme) is above the threshold, compared exactly as decimals.
    public func isHigh(_ value: String) -> Bool {
        DecimalLexeme(value) > DecimalLexeme(above)
    }
}

/// What a fired rule means for a tier.
public enum RuleOutcome: Sendable, Hashable {
    /// The tier tolerates it: nothing happens.
    case ok
    /// Warn, and take these actions one after the other (none: warn only).
    case warn(actions: [String])
    /// Stop governing the tenant automatically, for this reason, until an operator resets it or its plan changes.
    case refuse(reason: String)
}
