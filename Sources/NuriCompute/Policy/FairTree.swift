/// Fair Tree fair share over organisation → project, as Slurm's `priority/multifactor` computes it
/// with `PriorityFlags=FAIR_TREE` (the default since 19.05):
///
/// 1. At each level, every association's *level fairshare* is `S / U`: its shares over its
///    siblings' shares (itself included), divided by its usage over its siblings' usage. No usage
///    gives infinity (it is owed the most).
/// 2. Siblings are sorted by level fairshare, highest first, and visited depth-first; leaves (here,
///    projects) are ranked in visiting order, from N (the number of projects) down.
/// 3. Ties: projects with the same level fairshare share a rank; organisations with the same level
///    fairshare have their projects merged and sorted together.
/// 4. A project's fair-share factor is its rank / N: 1.0 for the most under-served project.
///
/// So every project of an organisation that used less than its share ranks above every project of
/// one that used more, whatever happens inside each organisation.
public struct FairTree: Sendable {
    public private(set) var organisationNames: [String] = []
    public private(set) var organisationShares: [Double] = []
    /// Projects of each organisation, by index.
    public private(set) var organisationProjects: [[Int]] = []
    public private(set) var projectNames: [String] = []
    public private(set) var projectOrganisation: [Int] = []
    public private(set) var projectShares: [Double] = []
    /// Decayed usage of each project, GPU-seconds (Slurm's raw usage).
    public private(set) var usage: [Double] = []
    /// Fair-share factor of each project after the last `rank()`, in (0, 1].
    public private(set) var factor: [Double] = []
    /// Level fairshare of each project among its organisation's projects (for explanations, `sshare -l`'s `Level FS`).
    public private(set) var projectLevelFairshare: [Double] = []
    /// Level fairshare of each organisation among all organisations.
    public private(set) var organisationLevelFairshare: [Double] = []

    public init() {}

    public var projectCount: Int { projectNames.count }

    /// Adds an organisation (an account under the root) and returns its index.
    @discardableResult
    public mutating func addOrganisation(_ name: String, shares: Double) -> Int {
        organisationNames.append(name)
        organisationShares.append(shares)
        organisationProjects.append([])
        organisationLevelFairshare.append(.infinity)
        return organisationNames.count - 1
    }

    /// Adds a project under an organisation and returns its index. A new project is owed the most
    /// until the next `rank()`.
    @discardableResult
    public mutating func addProject(_ name: String, organisation: Int, shares: Double) -> Int {
        let index = projectNames.count
        projectNames.append(name)
        projectOrganisation.append(organisation)
        projectShares.append(shares)
        usage.append(0)
        factor.append(1)
        projectLevelFairshare.append(.infinity)
        organisationProjects[organisation].append(index)
        return index
    }

    /// Records usage (GPU-seconds) against a project.
    public mutating func charge(project: Int, gpuSeconds: Double) {
        usage[project] += gpuSeconds
    }

    /// Multiplies every project's usage by `factor` (the half-life decay of one period:
    /// `2^(-elapsed / halfLife)`).
    public mutating func decay(by factor: Double) {
        for index in usage.indices { usage[index] *= factor }
    }

    /// An organisation's usage: the sum of its projects'.
    public func organisationUsage(_ organisation: Int) -> Double {
        organisationProjects[organisation].reduce(0) { $0 + usage[$1] }
    }

    /// Recomputes every project's fair-share factor from shares and current usage.
    public mutating func rank() {
        let total = projectNames.count
        guard total > 0 else { return }
        // Level fairshare of the organisations among themselves.
        let orgUsage = organisationNames.indices.map(organisationUsage)
        let orgShareSum = organisationShares.reduce(0, +)
        let orgUsageSum = orgUsage.reduce(0, +)
        for org in organisationNames.indices {
            organisationLevelFairshare[org] = Self.levelFairshare(
                shares: organisationShares[org], shareSum: orgShareSum, usage: orgUsage[org], usageSum: orgUsageSum)
        }
        // Level fairshare of each project among its organisation's projects.
        for org in organisationNames.indices {
            let projects = organisationProjects[org]
            let shareSum = projects.reduce(0) { $0 + projectShares[$1] }
            let usageSum = orgUsage[org]
            for project in projects {
                projectLevelFairshare[project] = Self.levelFairshare(
                    shares: projectShares[project], shareSum: shareSum, usage: usage[project], usageSum: usageSum)
            }
        }
        // Depth-first: organisations by level fairshare, highest first (ties: the name, for a
        // stable order; tied organisations' projects are ranked together).
        let orgOrder = organisationNames.indices.sorted {
            let a = organisationLevelFairshare[$0], b = organisationLevelFairshare[$1]
            return a != b ? a > b : organisationNames[$0] < organisationNames[$1]
        }
        var rank = total
        var start = 0
        while start < orgOrder.count {
            var end = start + 1
            while end < orgOrder.count,
                  organisationLevelFairshare[orgOrder[end]] == organisationLevelFairshare[orgOrder[start]] { end += 1 }
            var merged = orgOrder[start..<end].flatMap { organisationProjects[$0] }
            merged.sort {
                let a = projectLevelFairshare[$0], b = projectLevelFairshare[$1]
                return a != b ? a > b : projectNames[$0] < projectNames[$1]
            }
            var first = 0
            while first < merged.count {
                var last = first + 1
                while last < merged.count, projectLevelFairshare[merged[last]] == projectLevelFairshare[merged[first]] { last += 1 }
                for project in merged[first..<last] { factor[project] = Double(rank) / Double(total) }
                rank -= last - first
                first = last
            }
            start = end
        }
    }

    /// `S / U` with `S = shares / shareSum` and `U = usage / usageSum`; no usage is infinity,
    /// no shares is zero.
    public static func levelFairshare(shares: Double, shareSum: Double, usage: Double, usageSum: Double) -> Double {
        guard shares > 0, shareSum > 0 else { return 0 }
        guard usage > 0, usageSum > 0 else { return .infinity }
        return (shares / shareSum) / (usage / usageSum)
    }
}
