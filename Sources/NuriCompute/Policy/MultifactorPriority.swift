import Foundation

/// The factors of Slurm's `priority/multifactor` plugin, each in [0, 1], for one job.
public struct PriorityFactors: Sendable, Equatable {
    /// Fair Tree: the project's rank / number of projects.
    public var fairshare: Double
    /// Time pending over `PriorityMaxAge`, capped at 1.
    public var age: Double
    /// The tier's QOS priority over the largest QOS priority.
    public var qos: Double
    /// GPUs asked over the pool's GPUs (or its complement with `PriorityFavorSmall`).
    public var jobSize: Double

    public init(fairshare: Double, age: Double, qos: Double, jobSize: Double) {
        self.fairshare = fairshare
        self.age = age
        self.qos = qos
        self.jobSize = jobSize
    }
}

extension SchedulingPolicy {
    /// `min(age, PriorityMaxAge) / PriorityMaxAge`; a job's age counts from its submission.
    public func ageFactor(age: Double) -> Double {
        guard maxAge > 0 else { return 0 }
        return min(max(age, 0), maxAge) / maxAge
    }

    /// Slurm's job-size factor on GPUs: `gpus / poolGPUs`, so a job asking the whole pool gets 1.0;
    /// with `favorSmall`, `(poolGPUs - gpus + 1) / poolGPUs`, so a 1-GPU job gets 1.0.
    public func jobSizeFactor(gpus: Int, poolGPUs: Int) -> Double {
        guard poolGPUs > 0 else { return 0 }
        let size = Double(min(max(gpus, 1), poolGPUs)), total = Double(poolGPUs)
        return favorSmall ? (total - size + 1) / total : size / total
    }

    /// The job's priority: `Σ weight × factor` (Slurm then truncates to an integer; the engine
    /// keeps the fraction so that near-equal jobs keep their order).
    public func priority(_ factors: PriorityFactors) -> Double {
        weights.fairshare * factors.fairshare + weights.age * factors.age
            + weights.qos * factors.qos + weights.jobSize * factors.jobSize
    }

    /// The usage decay factor over `elapsed` seconds: `2^(-elapsed / PriorityDecayHalfLife)`
    /// (1 when decay is off).
    public func decayFactor(elapsed: Double) -> Double {
        guard decayHalfLife > 0, elapsed > 0 else { return 1 }
        return exp2(-elapsed / decayHalfLife)
    }
}
