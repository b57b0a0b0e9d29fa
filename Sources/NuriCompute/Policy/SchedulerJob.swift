/// A job as the scheduler sees it: who runs it, how many GPUs of which model, for how long.
///
/// Jobs of at most one node's GPUs run on one node; larger jobs take whole nodes (a 12-GPU job on
/// 8-GPU nodes holds two nodes, 16 GPUs, and is charged for them) and start all together or not at
/// all (gang). Times are seconds on the caller's clock (the simulator's starts at the trace's zero).
public struct SchedulerJob: Sendable, Equatable {
    /// The caller's identifier (a Slurm job id, a trace row); unique among jobs the engine holds.
    public var id: Int
    public var project: String
    public var organisation: String
    public var tier: Tier
    public var gpus: Int
    /// The GPU model asked for (`h100`, …); nil: the project's allocation model, else the partition
    /// with the most free GPUs at submission.
    public var gpuModel: String?
    /// Requested wall time (Slurm's `--time`), seconds: the job is ended when it runs this long,
    /// and backfill plans with it.
    public var wallTime: Double
    /// How long the job actually runs, seconds (simulation only; live jobs end when Slurm says).
    public var runTime: Double
    public var submitTime: Double

    public init(id: Int, project: String, organisation: String, tier: Tier, gpus: Int, gpuModel: String? = nil,
                wallTime: Double, runTime: Double? = nil, submitTime: Double) {
        self.id = id
        self.project = project
        self.organisation = organisation
        self.tier = tier
        self.gpus = gpus
        self.gpuModel = gpuModel
        self.wallTime = wallTime
        self.runTime = runTime ?? wallTime
        self.submitTime = submitTime
    }
}

/// Why a job is still pending, with Slurm's names for the same reasons (what `squeue` shows).
public enum PendingReason: String, Sendable, Codable, CaseIterable {
    /// Not examined yet, or behind a higher-priority job that is waiting for resources.
    case priority = "Priority"
    /// The highest-priority job that does not fit: waiting for GPUs (it holds a reservation).
    case resources = "Resources"
    /// The project's maximum concurrent GPUs would be exceeded (`GrpTRES=gres/gpu=N`).
    case concurrentGPULimit = "AssocGrpGRES"
    /// The project's GPU-hour budget would be exceeded (`GrpTRESMins=gres/gpu=M`); running jobs
    /// count for their whole requested time until they end.
    case gpuHourLimit = "AssocGrpGRESMinutes"
}

/// Why a job was refused at submission: it could never run on this pool under this policy.
public enum SubmitRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case noPartition(gpuModel: String)
    case tooLarge(gpus: Int, partition: String, partitionGPUs: Int)
    case notPositive(field: String)
    case duplicateID(Int)
    case modelNotAllowed(project: String, asked: String, allowed: String)

    public var description: String {
        switch self {
        case .noPartition(let model): "no partition has GPU model \(model)"
        case .tooLarge(let gpus, let partition, let total): "\(gpus) GPUs is more than partition \(partition) has (\(total))"
        case .notPositive(let field): "\(field) must be positive"
        case .duplicateID(let id): "job \(id) is already held by the scheduler"
        case .modelNotAllowed(let project, let asked, let allowed): "project \(project)'s allocation is for \(allowed), not \(asked)"
        }
    }
}
