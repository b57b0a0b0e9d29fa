/// How the centre orders and places jobs: Slurm's multifactor priority (weights and factors as
/// `slurm.conf` names them), Fair Tree shares over organisation → project, backfill, preemption
/// between tiers and each project's allocation limits. One value drives both the simulator and
/// live decisions; `SchedulingPolicy.load(yaml:)` reads it from a policy file.
public struct SchedulingPolicy: Sendable, Equatable {
    /// The multiplier of each priority factor (`PriorityWeightFairshare`, `…Age`, `…QOS`, `…JobSize`).
    public struct Weights: Sendable, Equatable {
        public var fairshare: Double
        public var age: Double
        public var qos: Double
        public var jobSize: Double

        public init(fairshare: Double = 10_000, age: Double = 1_000, qos: Double = 5_000, jobSize: Double = 500) {
            self.fairshare = fairshare
            self.age = age
            self.qos = qos
            self.jobSize = jobSize
        }
    }

    /// Slurm's backfill scheduler settings (`bf_interval`, `bf_max_job_test`, `bf_job_part_count_reserve`).
    public struct Backfill: Sendable, Equatable {
        public var enabled: Bool
        /// Seconds between backfill passes.
        public var interval: Double
        /// Pending jobs examined per pass, in priority order.
        public var depth: Int
        /// Blocked jobs per partition that get a reservation each pass; lower-priority jobs start
        /// only if they delay none of them.
        public var reservationsPerPartition: Int

        public init(enabled: Bool = true, interval: Double = 30, depth: Int = 10_000, reservationsPerPartition: Int = 32) {
            self.enabled = enabled
            self.interval = interval
            self.depth = depth
            self.reservationsPerPartition = reservationsPerPartition
        }
    }

    /// A project's place in the Fair Tree and what its allocation allows.
    public struct Project: Sendable, Equatable {
        public var name: String
        public var tier: Tier
        /// Raw shares among the organisation's projects.
        public var shares: Double
        public var limits: AllocationLimits

        public init(name: String, tier: Tier, shares: Double = 1, limits: AllocationLimits = AllocationLimits()) {
            self.name = name
            self.tier = tier
            self.shares = shares
            self.limits = limits
        }
    }

    /// An organisation: a Fair Tree account under the root, parent of its projects.
    public struct Organisation: Sendable, Equatable {
        public var name: String
        /// Raw shares among all organisations.
        public var shares: Double
        public var projects: [Project]

        public init(name: String, shares: Double = 1, projects: [Project] = []) {
            self.name = name
            self.shares = shares
            self.projects = projects
        }
    }

    public var weights = Weights()
    /// Age at which the age factor reaches 1 (`PriorityMaxAge`), seconds. Default 7 days.
    public var maxAge: Double = 7 * 86_400
    /// Half-life of recorded usage (`PriorityDecayHalfLife`), seconds; 0 turns decay off. Default 7 days.
    public var decayHalfLife: Double = 7 * 86_400
    /// How often usage decays, the Fair Tree is re-ranked and priorities are recomputed
    /// (`PriorityCalcPeriod`), seconds. Default 5 minutes.
    public var calculationPeriod: Double = 300
    /// `PriorityFavorSmall`: the job-size factor favours small jobs instead of large ones.
    public var favorSmall = false
    /// QOS priority of each tier; the QOS factor is a tier's value over the largest one.
    public var qosPriority: [Tier: Double] = [.nationalTeam: 100, .public: 60, .academic: 50, .startup: 40, .industry: 30]
    /// Which tiers each tier may requeue when it cannot otherwise start (only lower tiers).
    public var preemption: [Tier: Set<Tier>] = [.nationalTeam: [.public, .academic, .startup, .industry]]
    public var backfill = Backfill()
    /// Jobs the scheduler examines at a submit or a finish before waiting for the next backfill
    /// pass (Slurm's `default_queue_depth`).
    public var mainPassDepth = 100
    /// Known organisations and projects; a job of a project not listed joins the tree with one share
    /// under its organisation (also added with one share), without limits.
    public var organisations: [Organisation] = []

    public init() {}

    /// The factory policy.
    public static let `default` = SchedulingPolicy()

    /// Whether a job of `preemptor` may requeue a running job of `victim`.
    public func mayPreempt(_ preemptor: Tier, _ victim: Tier) -> Bool {
        preemption[preemptor]?.contains(victim) ?? false
    }

    /// The QOS factor of a tier: its QOS priority over the largest one (Slurm's normalisation).
    public func qosFactor(_ tier: Tier) -> Double {
        let top = qosPriority.values.max() ?? 0
        guard top > 0 else { return 0 }
        return (qosPriority[tier] ?? 0) / top
    }
}
