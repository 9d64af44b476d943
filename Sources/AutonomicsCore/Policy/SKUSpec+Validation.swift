/// Reading each section of the spec document, checked as it is read.
extension SKUSpec {
    static let defaultPostponedSignalLimit = 16

    static func postponedSignalLimit(_ root: SpecReader) throws(SpecError) -> Int {
        guard let governor = try root.optional("governor") else { return defaultPostponedSignalLimit }
        _ = try governor.table(known: ["postponed_limit"])
        guard let limit = try governor.optional("postponed_limit") else { return defaultPostponedSignalLimit }
        return Int(try limit.integer(in: 1...1024))
    }

    static func metrics(_ section: SpecReader) throws(SpecError) -> MetricVocabulary {
        let entries = try section.entries()
        guard !entries.isEmpty else { throw section.error(.invalidValue, expected: "at least one metric") }
        var canonical: [String: String] = [:]
        for (name, _) in entries { canonical[name] = name }
        for (name, metric) in entries {
            _ = try metric.table(known: ["aliases", "unit", "description"])
            guard let aliases = try metric.optional("aliases") else { continue }
            for alias in try aliases.strings() {
                if let other = canonical[alias], other != name {
                    throw aliases.error(
                        .invalidValue, expected: "aliases not already taken by \(other)", found: .string(alias))
                }
                canonical[alias] = name
            }
        }
        return MetricVocabulary(canonical: canonical)
    }

    static func tiers(_ section: SpecReader) throws(SpecError) -> [String: Tier] {
        var tiers: [String: Tier] = [:]
        for (name, tier) in try section.entries() {
            _ = try tier.table(known: ["quotas", "description"])
            var quotas: [String: Int64] = [:]
            for (quota, limit) in try tier.optional("quotas")?.entries() ?? [] {
                quotas[quota] = try limit.integer(in: 0...1_000_000)
            }
            tiers[name] = Tier(name: name, quotas: quotas)
        }
        guard !tiers.isEmpty else { throw section.error(.invalidValue, expected: "at least one tier") }
        return tiers
    }

    static func planTiers(_ section: SpecReader, tiers: [String: Tier]) throws(SpecError) -> [String: String] {
        var planTiers: [String: String] = [:]
        for (plan, tier) in try section.entries() {
            let name = try tier.string()
            guard tiers[name] != nil else {
                throw tier.error(
                    .unknownReference, expected: "a tier: " + tiers.keys.sorted().joined(separator: ", "),
                    found: tier.value)
            }
            planTiers[plan] = name
        }
        return planTiers
    }

    static func bindings(_ section: SpecReader) throws(SpecError) -> TenantBindings {
        let resourceKeys = Set(TenantResource.allCases.map(\.rawValue))
        _ = try section.table(known: resourceKeys.union(["project", "region", "overrides"]))
        let project = try segment(section.required("project"))
        let region = try segment(section.required("region"))
        var templates: [TenantResource: String] = [:]
        for resource in TenantResource.allCases {
            guard let template = try section.optional(resource.rawValue) else { continue }
            templates[resource] = try self.template(template, for: resource)
        }
        var overrides: [String: TenantBindings.Override] = [:]
        var claimed: [String: String] = [:]
        for (tenantID, entry) in try section.optional("overrides")?.entries() ?? [] {
            guard TenantBindings.isSafeTenantID(tenantID) else {
                throw entry.error(.invalidBinding, expected: "a tenant id of 1–256 characters A–Z a–z 0–9 . _ -")
            }
            _ = try entry.table(known: resourceKeys.union(["project", "region"]))
            var names: [TenantResource: String] = [:]
            for resource in TenantResource.allCases {
                guard let name = try entry.optional(resource.rawValue) else { continue }
                let text = try name.string()
                guard resource.matches(text) else {
                    throw name.error(
                        .invalidBinding, expected: "a full name \(resource.shapeDescription)", found: name.value)
                }
                // An explicit name must not be another tenant's: no override may aim one tenant's actions at another.
                if let owner = claimed[text]
                    ?? templates[resource].flatMap({
                        templateTenant(of: text, template: $0, project: project, region: region)
                    }),
                    owner != tenantID
                {
                    throw name.error(
                        .invalidBinding, expected: "a name no other tenant has (it is tenant \(owner)'s)",
                        found: name.value)
                }
                claimed[text] = tenantID
                names[resource] = text
            }
            overrides[tenantID] = TenantBindings.Override(
                project: try entry.optional("project").map(segment), region: try entry.optional("region").map(segment),
                names: names)
        }
        return TenantBindings(project: project, region: region, templates: templates, overrides: overrides)
    }

    /// A project or region: one safe name segment.
    private static func segment(_ reader: SpecReader) throws(SpecError) -> String {
        let text = try reader.string()
        guard TenantBindings.isSafeSegment(text) else {
            throw reader.error(.invalidBinding, expected: "one name segment of A–Z a–z 0–9 . _ -", found: reader.value)
        }
        return text
    }

    /// A name template: the resource's shape, `{tenant_id}` in it (or every tenant would share one resource), and no
    /// other placeholders than `{project}` and `{region}`.
    private static func template(_ reader: SpecReader, for resource: TenantResource) throws(SpecError) -> String {
        let template = try reader.string()
        let expected = "a template \(resource.shapeDescription) using {tenant_id} and optionally {project}, {region}"
        let sample = TenantBindings.substitute(template, project: "p", region: "r", tenantID: "t")
        guard template.contains("{tenant_id}"), resource.matches(sample) else {
            throw reader.error(.invalidBinding, expected: expected, found: reader.value)
        }
        return template
    }

    /// The tenant whose templated name `name` is under the default project and region, if any.
    private static func templateTenant(of name: String, template: String, project: String, region: String) -> String? {
        let filled = TenantBindings.substitute(template, project: project, region: region, tenantID: "\u{0}")
        let parts = filled.split(separator: "\u{0}", omittingEmptySubsequences: false)
        guard parts.count == 2, name.hasPrefix(parts[0]), name.hasSuffix(parts[1]),
            name.utf8.count > parts[0].utf8.count + parts[1].utf8.count
        else { return nil }
        let tenantID = String(name.dropFirst(parts[0].count).dropLast(parts[1].count))
        return TenantBindings.isSafeTenantID(tenantID) ? tenantID : nil
    }

    static func actions(_ section: SpecReader, tiers: [String: Tier], bindings: TenantBindings) throws(SpecError)
        -> [String: ActionSpec]
    {
        var actions: [String: ActionSpec] = [:]
        for (name, action) in try section.entries() {
            let kind = try action.required("adapter")
            let sample = try kind.adapterSample()
            let adapter: ActionAdapter
            if case .cloudRunThrottle = sample {
                _ = try action.table(known: ["adapter", "max_instances", "description"])
                adapter = .cloudRunThrottle(
                    maxInstances: try instanceLimit(action.required("max_instances"), tiers: tiers))
            } else {
                _ = try action.table(known: ["adapter", "description"])
                adapter = sample
            }
            guard bindings.templates[adapter.resource] != nil else {
                throw kind.error(
                    .unknownReference,
                    expected:
                        "an adapter whose resource has a template: bindings.\(adapter.resource.rawValue) is not set",
                    found: kind.value)
            }
            actions[name] = ActionSpec(name: name, adapter: adapter)
        }
        return actions
    }

    /// An instance count, or `"quota:<name>"` naming a quota that every tier sets.
    private static func instanceLimit(_ reader: SpecReader, tiers: [String: Tier]) throws(SpecError)
        -> ActionAdapter.InstanceLimit
    {
        if case .string(let text) = reader.value, text.hasPrefix("quota:") {
            let quota = String(text.dropFirst("quota:".count))
            for tier in tiers.values.sorted(by: { $0.name < $1.name }) where tier.quotas[quota] == nil {
                throw reader.error(
                    .unknownReference, expected: "a quota that every tier sets; tier \(tier.name) has no \(quota)",
                    found: reader.value)
            }
            return .quota(quota)
        }
        guard reader.value.int64Value != nil else {
            throw reader.error(.invalidValue, expected: "an integer 1–1000 or \"quota:<name>\"", found: reader.value)
        }
        return .count(try reader.integer(in: 1...1000))
    }

    static func rules(
        _ section: SpecReader,
        metrics: MetricVocabulary,
        tiers: [String: Tier],
        actions: [String: ActionSpec]
    ) throws(SpecError) -> [PolicyRule] {
        var rules: [PolicyRule] = []
        for rule in try section.array() {
            _ = try rule.table(known: ["name", "metric", "above", "consecutive", "tiers", "description"])
            let nameReader = try rule.required("name")
            let name = try nameReader.string()
            guard !rules.contains(where: { $0.name == name }) else {
                throw nameReader.error(.invalidValue, expected: "a rule name not used before", found: nameReader.value)
            }
            let metricReader = try rule.required("metric")
            guard let metric = metrics.canonicalName(try metricReader.string()) else {
                throw metricReader.error(
                    .unknownReference,
                    expected: "a metric or alias of [metrics]: "
                        + metrics.acceptedNames.sorted().joined(separator: ", "),
                    found: metricReader.value)
            }
            let outcomesReader = try rule.required("tiers")
            var outcomes: [String: RuleOutcome] = [:]
            for (tier, outcome) in try outcomesReader.entries() {
                guard tiers[tier] != nil else {
                    throw outcome.error(
                        .unknownReference, expected: "a tier: " + tiers.keys.sorted().joined(separator: ", "))
                }
                outcomes[tier] = try self.outcome(outcome, actions: actions)
            }
            for tier in tiers.keys.sorted() where outcomes[tier] == nil {
                throw outcomesReader.error(
                    .missingKey, expected: "an outcome for every tier (ok, warn or refuse)", at: tier)
            }
            rules.append(
                PolicyRule(
                    name: name, metric: metric, above: try rule.required("above").decimal(in: 0...100),
                    consecutive: Int(try rule.required("consecutive").integer(in: 1...1000)), outcomes: outcomes))
        }
        return rules
    }

    private static func outcome(_ reader: SpecReader, actions: [String: ActionSpec]) throws(SpecError) -> RuleOutcome {
        let kind = try reader.required("outcome")
        switch try kind.string() {
        case "ok":
            _ = try reader.table(known: ["outcome"])
            return .ok
        case "warn":
            _ = try reader.table(known: ["outcome", "actions"])
            var names: [String] = []
            for action in try reader.optional("actions")?.array() ?? [] {
                let name = try action.string()
                guard actions[name] != nil else {
                    throw action.error(
                        .unknownReference,
                        expected: "an action of [actions]: " + actions.keys.sorted().joined(separator: ", "),
                        found: action.value)
                }
                names.append(name)
            }
            return .warn(actions: names)
        case "refuse":
            _ = try reader.table(known: ["outcome", "reason"])
            return .refuse(reason: try reader.required("reason").string())
        default:
            throw kind.error(.invalidValue, expected: "\"ok\", \"warn\" or \"refuse\"", found: kind.value)
        }
    }

    static func approval(_ section: SpecReader, planTiers: [String: String]) throws(SpecError) -> ApprovalPolicy {
        _ = try section.table(known: ["auto_approve", "reject", "unlisted", "unlisted_reason"])
        var approved: Set<String> = []
        for plan in try section.required("auto_approve").array() {
            let name = try plan.string()
            guard planTiers[name] != nil else {
                throw plan.error(
                    .unknownReference, expected: "a plan of [plans], so that it has a tier", found: plan.value)
            }
            approved.insert(name)
        }
        var rejected: [String: String] = [:]
        for (plan, reason) in try section.optional("reject")?.entries() ?? [] {
            guard !approved.contains(plan) else {
                throw reason.error(.invalidValue, expected: "a plan not also in auto_approve")
            }
            rejected[plan] = try self.reason(reason)
        }
        let unlistedReader = try section.required("unlisted")
        let unlisted: ApprovalPolicy.Decision
        switch try unlistedReader.string() {
        case "manual": unlisted = .manual
        case "reject": unlisted = .reject(reason: try reason(section.required("unlisted_reason")))
        default:
            throw unlistedReader.error(.invalidValue, expected: "\"manual\" or \"reject\"", found: unlistedReader.value)
        }
        return ApprovalPolicy(automaticallyApproved: approved, rejected: rejected, unlisted: unlisted)
    }

    /// A rejection reason: Procurement takes at most 256 bytes.
    private static func reason(_ reader: SpecReader) throws(SpecError) -> String {
        let text = try reader.string()
        guard text.utf8.count <= 256 else {
            throw reader.error(.invalidValue, expected: "a reason of at most 256 bytes", found: reader.value)
        }
        return text
    }
}
