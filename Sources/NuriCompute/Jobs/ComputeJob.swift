import Foundation

/// A job submitted through Nuri and run by Slurm: what was asked, Slurm's job id, the state
/// and reason Slurm last gave, and the GPU-seconds charged to the allocation so far.
public struct ComputeJob: Sendable, Codable, Equatable {
    public let id: String
    public let projectID: String
    public let project: String
    public let allocationID: String
    public let name: String
    public let gpus: Int
    public let timeLimitMinutes: Int
    public let command: String
    /// Slurm's job id (as `sbatch --parsable` printed it).
    public let slurmJobID: String
    /// Slurm's state: `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, `PREEMPTED`, …
    public var state: String
    /// Why a pending job waits, in Slurm's words (`AssocGrpGRES`, `QOSGrpGRESMinutes`, `Priority`, …).
    public var reason: String?
    /// How many times a higher tier's job preempted it (it went back to the queue).
    public var preemptions: Int
    /// GPU-seconds charged to the allocation for this job, every run counted.
    public var chargedGPUSeconds: Int
    public let submittedBy: String
    public let submittedAt: Int
    public var startedAt: Int?
    public var endedAt: Int?
    public var updatedAt: Int

    /// Whether Slurm is done with the job (its usage is final).
    public var isFinished: Bool { SlurmJobState.isFinal(state) }

    public init(id: String, projectID: String, project: String, allocationID: String, name: String, gpus: Int, timeLimitMinutes: Int,
                command: String, slurmJobID: String, state: String, reason: String?, preemptions: Int, chargedGPUSeconds: Int,
                submittedBy: String, submittedAt: Int, startedAt: Int?, endedAt: Int?, updatedAt: Int) {
        self.id = id
        self.projectID = projectID
        self.project = project
        self.allocationID = allocationID
        self.name = name
        self.gpus = gpus
        self.timeLimitMinutes = timeLimitMinutes
        self.command = command
        self.slurmJobID = slurmJobID
        self.state = state
        self.reason = reason
        self.preemptions = preemptions
        self.chargedGPUSeconds = chargedGPUSeconds
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, project, name, gpus, command, state, reason, preemptions
        case projectID = "project_id"
        case allocationID = "allocation_id"
        case timeLimitMinutes = "time_limit_minutes"
        case slurmJobID = "slurm_job_id"
        case chargedGPUSeconds = "charged_gpu_seconds"
        case submittedBy = "submitted_by"
        case submittedAt = "submitted_at"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case updatedAt = "updated_at"
    }
}

/// What a project member asks Slurm to run: checked at the boundary.
public struct JobRequest: Sendable, Equatable {
    public var name: String
    public var gpus: Int
    public var timeLimitMinutes: Int
    /// The job's shell command (Slurm runs it as `sbatch --wrap`, in the job, not on Nuri's host).
    public var command: String

    public init(name: String, gpus: Int, timeLimitMinutes: Int, command: String) {
        self.name = name
        self.gpus = gpus
        self.timeLimitMinutes = timeLimitMinutes
        self.command = command
    }

    public func validate() throws(ComputeError) {
        let nameOK = (1...64).contains(name.count) && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
        guard nameOK else {
            throw .invalidInput(param: "name", message: "job name must be 1–64 ASCII letters, digits, '-', '_' or '.'")
        }
        guard (1...100_000).contains(gpus) else {
            throw .invalidInput(param: "gpus", message: "gpus must be 1–100000")
        }
        guard (1...43_200).contains(timeLimitMinutes) else {
            throw .invalidInput(param: "time_limit_minutes", message: "time_limit_minutes must be 1–43200 (30 days): Slurm schedules by it")
        }
        guard !command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, command.utf8.count <= 16_384, !command.contains("\0") else {
            throw .invalidInput(param: "command", message: "command must be a non-empty shell command of at most 16 KiB")
        }
    }
}

/// Slurm's job states, as squeue and sacct print them.
public enum SlurmJobState {
    /// States after which Slurm runs the job no more.
    static let final: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
                                     "REVOKED", "SPECIAL_EXIT"]

    public static func isFinal(_ state: String) -> Bool { final.contains(state) }
}
