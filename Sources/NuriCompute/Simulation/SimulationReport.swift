/// What a simulation measured: utilisation over time, queueing delay and completion time (overall
/// and per tier), fairness between projects, allocation burn and preemptions. Encodes to JSON
/// with these names; times are seconds, GPU time is GPU-hours.
public struct SimulationReport: Codable, Sendable {
    /// Mean, median and 99th percentile of a set of durations, seconds.
    public struct Distribution: Codable, Sendable, Equatable {
        public var count: Int
        public var mean: Double
        public var p50: Double
        public var p99: Double

        public init(count: Int, mean: Double, p50: Double, p99: Double) {
            self.count = count
            self.mean = mean
            self.p50 = p50
            self.p99 = p99
        }

        /// Of `values` (sorted in place).
        public init(_ values: inout [Double]) {
            values.sort()
            count = values.count
            guard !values.isEmpty else { mean = 0; p50 = 0; p99 = 0; return }
            mean = values.reduce(0, +) / Double(values.count)
            p50 = Self.percentile(values, 0.50)
            p99 = Self.percentile(values, 0.99)
        }

        /// Nearest-rank percentile of sorted values.
        static func percentile(_ sorted: [Double], _ q: Double) -> Double {
            let rank = Int((q * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
    }

    /// One tier's figures.
    public struct TierFigures: Codable, Sendable {
        public var tier: String
        public var jobs: Int
        public var gpuHours: Double
        public var queueingDelay: Distribution
        public var completionTime: Distribution
    }

    /// One project's share of the pool against its entitlement.
    public struct ProjectFigures: Codable, Sendable {
        public var project: String
        public var organisation: String
        public var tier: String
        public var jobs: Int
        /// GPU-hours used (charged), including runs lost to preemption.
        public var gpuHours: Double
        /// GPU-hours its jobs needed (allocated GPUs × time run).
        public var demandGPUHours: Double
        /// Its Fair Tree share of the pool (organisation share × project share within it).
        public var entitledShare: Double
        /// GPU-hours it ran while jobs were arriving (first to last submission: when projects compete).
        public var gpuHoursWhileArriving: Double
        /// Its fair due of those: the weighted max-min fair division of all GPU-hours run while
        /// jobs arrived, by entitled share, capped by its demand (what one project does not ask
        /// for goes to the others).
        public var fairGPUHoursWhileArriving: Double
        /// GPU-hours while arriving / fair due: 1 is exactly its due, below 1 it was served less.
        public var fairnessRatio: Double
        /// GPU-hour budget of its allocation, if any.
        public var budgetGPUHours: Double?
    }

    /// A point of a time series.
    public struct Sample: Codable, Sendable {
        public var time: Double
        /// Busy GPUs / all GPUs.
        public var utilisation: Double
        public var pendingJobs: Int
        public var runningJobs: Int
    }

    /// Budget burned (charged / budget) of projects with a GPU-hour budget, at each sample time.
    public struct Burn: Codable, Sendable {
        public var project: String
        public var budgetGPUHours: Double
        public var burned: [Double]
    }

    public var policyName: String
    public var workload: String
    public var gpus: Int
    public var jobsSubmitted: Int
    public var jobsFinished: Int
    /// Refused at submission (could never run here), by reason.
    public var jobsRefused: [String: Int]
    /// Never started by the end (held by allocation limits), by Slurm reason.
    public var jobsNeverStarted: [String: Int]
    /// Jobs ended at their requested wall time.
    public var jobsTimedOut: Int
    /// First submission to last end, seconds.
    public var makespan: Double
    /// Busy GPU-seconds / (GPUs × seconds) while jobs arrive (first to last submission): the
    /// steady state a policy is judged on.
    public var utilisation: Double
    /// The same from the first submission to the last end (includes the drain at the end).
    public var utilisationToTheEnd: Double
    public var queueingDelay: Distribution
    public var completionTime: Distribution
    public var tiers: [TierFigures]
    /// Jain's index over projects' fairness ratios (GPU-hours while jobs arrive / fair due): 1 when
    /// every project got exactly its due, 1/n when one project got everything.
    public var jainsFairnessIndex: Double
    public var projects: [ProjectFigures]
    public var preemptions: Int
    public var preemptedGPUHoursLost: Double
    /// All GPU-hours charged to projects (finished and preempted runs).
    public var gpuHoursCharged: Double
    public var samples: [Sample]
    public var burn: [Burn]
    /// Wall-clock seconds the simulation took, and jobs simulated per second.
    public var simulationSeconds: Double
    public var jobsPerSecond: Double

    /// Jain's fairness index of `values`: `(Σx)² / (n Σx²)`, 1 when all are equal, 1/n when one has all.
    public static func jainsIndex(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 1 }
        let sum = values.reduce(0, +), squares = values.reduce(0) { $0 + $1 * $1 }
        guard squares > 0 else { return 1 }
        return sum * sum / (Double(values.count) * squares)
    }
}
