/// A grant of GPU time to a project: GPU-hours for a period, at most so many GPUs at once, of
/// one GPU model if named. Requested by a project member; approved, denied, changed or
/// revoked by an operator; expired at its period's end.
public struct Allocation: Sendable, Encodable, Equatable {
    public let id: String
    public let projectID: String
    /// The project's name (also its Slurm account).
    public let project: String
    public var status: AllocationStatus
    /// GPU-hours for the period.
    public var gpuHours: Double
    /// GPUs the project may hold at once.
    public var maxConcurrentGPUs: Int
    /// Lower-case GPU model (`h100`), or nil for any.
    public var gpuModel: String?
    public var justification: String
    /// Length of the period, in days, from approval.
    public var periodDays: Int
    /// Unix seconds; nil until approved.
    public var periodStart: Int?
    public var periodEnd: Int?
    /// What a pending renewal asks for (nil: the same as now).
    public var renewalGPUHours: Double?
    public var renewalPeriodDays: Int?
    public let requestedBy: String
    public let createdAt: Int
    public var updatedAt: Int
    /// GPU-hours charged in the current period.
    public var usedGPUHours: Double
    /// When Slurm last took this allocation's state, and why it did not if the last try failed.
    public var slurmSyncedAt: Int?
    public var slurmError: String?

    /// The limits in the vocabulary the policy engine and the Slurm driver share.
    public var limits: AllocationLimits {
        AllocationLimits(gpuHours: gpuHours, maxConcurrentGPUs: maxConcurrentGPUs, gpuModel: gpuModel)
    }

    public var remainingGPUHours: Double { max(gpuHours - usedGPUHours, 0) }

    public init(id: String, projectID: String, project: String, status: AllocationStatus, gpuHours: Double, maxConcurrentGPUs: Int,
                gpuModel: String?, justification: String, periodDays: Int, periodStart: Int?, periodEnd: Int?,
                renewalGPUHours: Double?, renewalPeriodDays: Int?, requestedBy: String, createdAt: Int, updatedAt: Int,
                usedGPUHours: Double, slurmSyncedAt: Int?, slurmError: String?) {
        self.id = id
        self.projectID = projectID
        self.project = project
        self.status = status
        self.gpuHours = gpuHours
        self.maxConcurrentGPUs = maxConcurrentGPUs
        self.gpuModel = gpuModel
        self.justification = justification
        self.periodDays = periodDays
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.renewalGPUHours = renewalGPUHours
        self.renewalPeriodDays = renewalPeriodDays
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.usedGPUHours = usedGPUHours
        self.slurmSyncedAt = slurmSyncedAt
        self.slurmError = slurmError
    }

    enum CodingKeys: String, CodingKey {
        case id, project, status, justification
        case projectID = "project_id"
        case gpuHours = "gpu_hours"
        case maxConcurrentGPUs = "max_concurrent_gpus"
        case gpuModel = "gpu_model"
        case periodDays = "period_days"
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case renewalGPUHours = "renewal_gpu_hours"
        case renewalPeriodDays = "renewal_period_days"
        case requestedBy = "requested_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case usedGPUHours = "used_gpu_hours"
        case remainingGPUHours = "remaining_gpu_hours"
        case slurmSyncedAt = "slurm_synced_at"
        case slurmError = "slurm_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(project, forKey: .project)
        try container.encode(status, forKey: .status)
        try container.encode(gpuHours, forKey: .gpuHours)
        try container.encode(maxConcurrentGPUs, forKey: .maxConcurrentGPUs)
        try container.encode(gpuModel, forKey: .gpuModel)
        try container.encode(justification, forKey: .justification)
        try container.encode(periodDays, forKey: .periodDays)
        try container.encode(periodStart, forKey: .periodStart)
        try container.encode(periodEnd, forKey: .periodEnd)
        try container.encode(renewalGPUHours, forKey: .renewalGPUHours)
        try container.encode(renewalPeriodDays, forKey: .renewalPeriodDays)
        try container.encode(requestedBy, forKey: .requestedBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(usedGPUHours, forKey: .usedGPUHours)
        try container.encode(remainingGPUHours, forKey: .remainingGPUHours)
        try container.encode(slurmSyncedAt, forKey: .slurmSyncedAt)
        try container.encode(slurmError, forKey: .slurmError)
    }
}
