/// The SKU spec: tiers and quotas, the Marketplace plan → tier map, policy rules, actions, the signal vocabulary,
/// the approval policy and tenant bindings. Loaded at run time from one file (`config/sku.toml`) that the worker
/// parses into a generic document, so that this core knows no file format.
public struct SKUSpec: Sendable, Hashable {
    /// Where the document came from, named in every ``SpecError``.
    public let source: String
    /// Lowercase hex SHA-256 of the document's canonical JSON, stamped on every receipt as `spec_hash`.
    /// Canonical JSON has integers only, so other numbers (`above = 90.5`) are hashed as their text.
    public let specHash: String
    /// How many signals a tenant keeps while an action is in flight; more are dropped and counted.
    public let postponedSignalLimit: Int
    public let metrics: MetricVocabulary
    /// Tier name → tier.
    public let tiers: [String: Tier]
    /// Marketplace plan → tier name.
    public let planTiers: [String: String]
    /// In priority order: when several fire on one signal, the first wins.
    public let rules: [PolicyRule]
    /// Action name → action.
    public let actions: [String: ActionSpec]
    public let approval: ApprovalPolicy
    public let bindings: TenantBindings

    /// A tier and its quotas (quota name → limit), e.g. `max_instances`.
    public struct Tier: Sendable, Hashable {
        public let name: String
        public let quotas: [String: Int64]
    }

    /// Builds and validates the spec.
    /// - Parameters:
    ///   - document: The parsed file: tables as objects, arrays, strings, integers and decimals as numbers.
    ///   - source: The file's path, for errors.
    /// - Throws: ``SpecError`` for the first problem found, naming the key and what was expected.
    public init(document: JSONValue, source: String) throws(SpecError) {
        let root = SpecReader(document: document, source: source)
        _ = try root.table(known: Self.topLevelKeys)
        self.source = source
        self.specHash = SHA256Hash(of: CanonicalJSON.encode(Self.hashable(document))).hex
        self.postponedSignalLimit = try Self.postponedSignalLimit(root)
        self.metrics = try Self.metrics(root.required("metrics"))
        self.tiers = try Self.tiers(root.required("tiers"))
        self.planTiers = try Self.planTiers(root.required("plans"), tiers: tiers)
        self.bindings = try Self.bindings(root.required("bindings"))
        self.actions = try Self.actions(root.required("actions"), tiers: tiers, bindings: bindings)
        self.rules = try Self.rules(root.required("rules"), metrics: metrics, tiers: tiers, actions: actions)
        self.approval = try Self.approval(root.required("approval"), planTiers: planTiers)
    }

    /// The tier a Marketplace plan buys, nil for a plan the spec does not map.
    public func tier(forPlan plan: String) -> Tier? {
        planTiers[plan].flatMap { tiers[$0] }
    }

    static let topLevelKeys: Set<String> = [
        "spec", "governor", "metrics", "tiers", "plans", "rules", "actions", "approval", "bindings",
    ]

    /// The document with every number that is not a canonical integer replaced by its text, so that it has a
    /// canonical encoding.
    private static func hashable(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let text) where !CanonicalJSON.isCanonicalInteger(text): .string(text)
        case .array(let elements): .array(elements.map(hashable))
        case .object(let members): .object(members.mapValues(hashable))
        default: value
        }
    }
}
