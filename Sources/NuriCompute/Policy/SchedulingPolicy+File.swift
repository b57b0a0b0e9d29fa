import Foundation
import Yams

/// A mistake in a policy file, naming the key (as a dotted path) and saying what would be right.
public struct PolicyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where: `backfill.depth`, `organisations[2].projects[0].limits.gpu_hours`; empty for the whole file.
    public let key: String
    public let message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}

/// Reading a policy file (YAML, or JSON, which is YAML too). Every key is optional; a missing key
/// keeps its default; an unknown key is refused by name, so a typo never silently does nothing.
///
/// ```yaml
/// priority:
///   weights: {fairshare: 10000, age: 1000, qos: 5000, job_size: 500}
///   max_age: 7d              # PriorityMaxAge; seconds, or a number with s, m, h or d
///   decay_half_life: 7d      # PriorityDecayHalfLife; 0 turns decay off
///   calc_period: 5m          # PriorityCalcPeriod
///   favor_small: false       # PriorityFavorSmall
/// qos: {national_team: 100, public: 60, academic: 50, startup: 40, industry: 30}
/// preemption: {national_team: [public, academic, startup, industry]}
/// backfill: {enabled: true, interval: 30s, depth: 10000, reservations: 32}
/// main_depth: 100
/// organisations:
///   - name: kaist
///     shares: 10
///     projects:
///       - {name: kaist-llm, tier: academic, shares: 1, limits: {gpu_hours: 50000, max_gpus: 256, gpu_model: h100}}
/// ```
extension SchedulingPolicy {
    /// Reads a policy from YAML or JSON text.
    public static func load(yaml text: String) throws(PolicyFileError) -> SchedulingPolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw PolicyFileError(key: "", "the policy file is not valid YAML or JSON: \(error)")
        }
        var policy = SchedulingPolicy()
        guard let root else { return policy }
        let top = try Mapping(root, key: "", known: ["priority", "qos", "preemption", "backfill", "main_depth", "organisations"])
        if let priority = try top.mapping("priority", known: ["weights", "max_age", "decay_half_life", "calc_period", "favor_small"]) {
            if let weights = try priority.mapping("weights", known: ["fairshare", "age", "qos", "job_size"]) {
                policy.weights.fairshare = try weights.number("fairshare", atLeast: 0) ?? policy.weights.fairshare
                policy.weights.age = try weights.number("age", atLeast: 0) ?? policy.weights.age
                policy.weights.qos = try weights.number("qos", atLeast: 0) ?? policy.weights.qos
                policy.weights.jobSize = try weights.number("job_size", atLeast: 0) ?? policy.weights.jobSize
            }
            policy.maxAge = try priority.duration("max_age", positive: true) ?? policy.maxAge
            policy.decayHalfLife = try priority.duration("decay_half_life", positive: false) ?? policy.decayHalfLife
            policy.calculationPeriod = try priority.duration("calc_period", positive: true) ?? policy.calculationPeriod
            policy.favorSmall = try priority.bool("favor_small") ?? policy.favorSmall
        }
        if let qos = try top.mapping("qos", known: Tier.allCases.map(\.rawValue)) {
            for tier in Tier.allCases {
                if let value = try qos.number(tier.rawValue, atLeast: 0) { policy.qosPriority[tier] = value }
            }
        }
        if let preemption = try top.mapping("preemption", known: Tier.allCases.map(\.rawValue)) {
            policy.preemption = [:]
            for tier in Tier.allCases {
                guard let victims = try preemption.tiers(tier.rawValue) else { continue }
                for victim in victims where victim <= tier {
                    throw PolicyFileError(key: preemption.path(tier.rawValue),
                                          "\(tier.rawValue) may only preempt lower tiers, not \(victim.rawValue) (tiers from highest: \(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                policy.preemption[tier] = Set(victims)
            }
        }
        if let backfill = try top.mapping("backfill", known: ["enabled", "interval", "depth", "reservations"]) {
            policy.backfill.enabled = try backfill.bool("enabled") ?? policy.backfill.enabled
            policy.backfill.interval = try backfill.duration("interval", positive: true) ?? policy.backfill.interval
            policy.backfill.depth = try backfill.integer("depth", atLeast: 1) ?? policy.backfill.depth
            policy.backfill.reservationsPerPartition = try backfill.integer("reservations", atLeast: 0) ?? policy.backfill.reservationsPerPartition
        }
        policy.mainPassDepth = try top.integer("main_depth", atLeast: 1) ?? policy.mainPassDepth
        if let organisations = try top.sequence("organisations") {
            var organisationNames = Set<String>(), projectNames = Set<String>()
            for (index, node) in organisations.enumerated() {
                let org = try Mapping(node, key: top.path("organisations") + "[\(index)]", known: ["name", "shares", "projects"])
                guard let name = try org.string("name"), !name.isEmpty else { throw PolicyFileError(key: org.path("name"), "every organisation needs a name") }
                guard organisationNames.insert(name).inserted else { throw PolicyFileError(key: org.path("name"), "organisation \(name) is listed twice") }
                var organisation = Organisation(name: name, shares: try org.number("shares", atLeast: 0) ?? 1)
                for (projectIndex, projectNode) in (try org.sequence("projects") ?? []).enumerated() {
                    let project = try Mapping(projectNode, key: org.path("projects") + "[\(projectIndex)]", known: ["name", "tier", "shares", "limits"])
                    guard let projectName = try project.string("name"), !projectName.isEmpty else {
                        throw PolicyFileError(key: project.path("name"), "every project needs a name")
                    }
                    guard projectNames.insert(projectName).inserted else {
                        throw PolicyFileError(key: project.path("name"), "project \(projectName) is listed twice")
                    }
                    guard let tierName = try project.string("tier") else {
                        throw PolicyFileError(key: project.path("tier"), "project \(projectName) needs a tier (\(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    guard let tier = Tier(rawValue: tierName) else {
                        throw PolicyFileError(key: project.path("tier"), "unknown tier \(tierName) (one of \(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    var limits = AllocationLimits()
                    if let limitNode = try project.mapping("limits", known: ["gpu_hours", "max_gpus", "gpu_model"]) {
                        limits.gpuHours = try limitNode.number("gpu_hours", atLeast: 0)
                        limits.maxConcurrentGPUs = try limitNode.integer("max_gpus", atLeast: 0)
                        limits.gpuModel = try limitNode.string("gpu_model")?.lowercased()
                    }
                    organisation.projects.append(Project(name: projectName, tier: tier, shares: try project.number("shares", atLeast: 0) ?? 1, limits: limits))
                }
                policy.organisations.append(organisation)
            }
        }
        return policy
    }

    /// Reads a policy file.
    public static func load(contentsOf path: String) throws(PolicyFileError) -> SchedulingPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PolicyFileError(key: "", "cannot read the policy file \(path): \(error.localizedDescription)")
        }
        return try load(yaml: text)
    }

    /// Checks what the policy names against a pool: every allocation's GPU model must be one of its partitions'.
    public func validate(against pool: GPUPool) throws(PolicyFileError) {
        let models = pool.partitions.map { $0.gpuModel.lowercased() }
        for (o, organisation) in organisations.enumerated() {
            for (p, project) in organisation.projects.enumerated() {
                if let model = project.limits.gpuModel, !models.contains(model) {
                    throw PolicyFileError(key: "organisations[\(o)].projects[\(p)].limits.gpu_model",
                                          "no partition has GPU model \(model) (the pool has \(models.joined(separator: ", ")))")
                }
            }
        }
    }
}

/// One mapping of a policy file, with its dotted path and the keys it accepts.
private struct Mapping {
    let node: Node.Mapping
    let key: String

    init(_ node: Node, key: String, known: [String]) throws(PolicyFileError) {
        guard case .mapping(let mapping) = node else {
            throw PolicyFileError(key: key, "must be a mapping of keys to values")
        }
        self.node = mapping
        self.key = key
        for (name, _) in mapping {
            guard let text = name.string else { throw PolicyFileError(key: key, "keys must be text") }
            guard known.contains(text) else {
                throw PolicyFileError(key: path(text), "unknown key \(text) (known here: \(known.joined(separator: ", ")))")
            }
        }
    }

    func path(_ name: String) -> String { key.isEmpty ? name : "\(key).\(name)" }

    func value(_ name: String) -> Node? {
        guard let value = node[name] else { return nil }
        if case .scalar(let scalar) = value, scalar.string == "~" || scalar.string == "null" { return nil }
        return value
    }

    func mapping(_ name: String, known: [String]) throws(PolicyFileError) -> Mapping? {
        guard let value = value(name) else { return nil }
        return try Mapping(value, key: path(name), known: known)
    }

    func sequence(_ name: String) throws(PolicyFileError) -> [Node]? {
        guard let value = value(name) else { return nil }
        guard case .sequence(let sequence) = value else { throw PolicyFileError(key: path(name), "must be a list") }
        return Array(sequence)
    }

    func scalar(_ name: String) throws(PolicyFileError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .scalar(let scalar) = value else { throw PolicyFileError(key: path(name), "must be a single value, not a list or mapping") }
        return scalar.string
    }

    func string(_ name: String) throws(PolicyFileError) -> String? { try scalar(name) }

    func number(_ name: String, atLeast minimum: Double) throws(PolicyFileError) -> Double? {
        guard let text = try scalar(name) else { return nil }
        guard let value = Double(text), value.isFinite else { throw PolicyFileError(key: path(name), "must be a number, not \"\(text)\"") }
        guard value >= minimum else { throw PolicyFileError(key: path(name), "must be at least \(Self.format(minimum)), not \(text)") }
        return value
    }

    func integer(_ name: String, atLeast minimum: Int) throws(PolicyFileError) -> Int? {
        guard let text = try scalar(name) else { return nil }
        guard let value = Int(text) else { throw PolicyFileError(key: path(name), "must be a whole number, not \"\(text)\"") }
        guard value >= minimum else { throw PolicyFileError(key: path(name), "must be at least \(minimum), not \(text)") }
        return value
    }

    func bool(_ name: String) throws(PolicyFileError) -> Bool? {
        guard let text = try scalar(name) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw PolicyFileError(key: path(name), "must be true or false, not \"\(text)\"")
        }
    }

    /// Seconds, or a number with a unit: `90`, `30s`, `5m`, `2h`, `7d`.
    func duration(_ name: String, positive: Bool) throws(PolicyFileError) -> Double? {
        guard let text = try scalar(name) else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var unit = 1.0
        if let last = number.last, let scale = units[last] {
            unit = scale
            number = number.dropLast()
        }
        guard let value = Double(number), value.isFinite else {
            throw PolicyFileError(key: path(name), "must be a duration such as 90 (seconds), 30s, 5m, 2h or 7d, not \"\(text)\"")
        }
        guard positive ? value > 0 : value >= 0 else {
            throw PolicyFileError(key: path(name), positive ? "must be longer than zero, not \(text)" : "must not be negative, not \(text)")
        }
        return value * unit
    }

    func tiers(_ name: String) throws(PolicyFileError) -> [Tier]? {
        guard let items = try sequence(name) else { return nil }
        var tiers: [Tier] = []
        for item in items {
            guard let text = item.string, let tier = Tier(rawValue: text) else {
                throw PolicyFileError(key: path(name), "unknown tier \(item.string ?? "?") (one of \(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            tiers.append(tier)
        }
        return tiers
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
