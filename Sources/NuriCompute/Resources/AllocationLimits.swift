/// What an active allocation lets a project use: the policy engine refuses to start a job past
/// either limit, and the Slurm driver writes the same limits as association limits.
public struct AllocationLimits: Codable, Sendable, Equatable {
    /// GPU-hours granted for the allocation's period (nil: no budget).
    public var gpuHours: Double?
    /// GPUs the project may hold at once (nil: no cap).
    public var maxConcurrentGPUs: Int?
    /// The GPU model granted (nil: any).
    public var gpuModel: String?

    public init(gpuHours: Double? = nil, maxConcurrentGPUs: Int? = nil, gpuModel: String? = nil) {
        self.gpuHours = gpuHours
        self.maxConcurrentGPUs = maxConcurrentGPUs
        self.gpuModel = gpuModel
    }
}
