import Foundation

/// What a project member asks for: checked here, at the boundary, so the store trusts it.
public struct AllocationRequest: Sendable, Equatable {
    public var gpuHours: Double
    public var maxConcurrentGPUs: Int
    public var gpuModel: String?
    public var justification: String
    public var periodDays: Int

    public init(gpuHours: Double, maxConcurrentGPUs: Int, gpuModel: String? = nil, justification: String, periodDays: Int = 90) {
        self.gpuHours = gpuHours
        self.maxConcurrentGPUs = maxConcurrentGPUs
        self.gpuModel = gpuModel
        self.justification = justification
        self.periodDays = periodDays
    }

    func validate() throws(ComputeError) {
        try AllocationChange.checkGPUHours(gpuHours)
        try AllocationChange.checkConcurrent(maxConcurrentGPUs)
        if let gpuModel { try AllocationChange.checkModel(gpuModel) }
        try AllocationChange.checkDays(periodDays)
        let text = justification.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 4_000 else {
            throw .invalidInput(param: "justification", message: "justification is required (1–4000 characters): say what the GPUs are for")
        }
    }
}

/// An operator's edit of an allocation's limits or period; nil fields stay as they are.
public struct AllocationChange: Sendable, Equatable {
    public var gpuHours: Double?
    public var maxConcurrentGPUs: Int?
    public var gpuModel: String?
    public var periodDays: Int?

    public init(gpuHours: Double? = nil, maxConcurrentGPUs: Int? = nil, gpuModel: String? = nil, periodDays: Int? = nil) {
        self.gpuHours = gpuHours
        self.maxConcurrentGPUs = maxConcurrentGPUs
        self.gpuModel = gpuModel
        self.periodDays = periodDays
    }

    public var isEmpty: Bool { gpuHours == nil && maxConcurrentGPUs == nil && gpuModel == nil && periodDays == nil }

    func validate() throws(ComputeError) {
        if let gpuHours { try Self.checkGPUHours(gpuHours) }
        if let maxConcurrentGPUs { try Self.checkConcurrent(maxConcurrentGPUs) }
        if let gpuModel { try Self.checkModel(gpuModel) }
        if let periodDays { try Self.checkDays(periodDays) }
    }

    static func checkGPUHours(_ value: Double) throws(ComputeError) {
        guard value.isFinite, value > 0, value <= 100_000_000 else {
            throw .invalidInput(param: "gpu_hours", message: "gpu_hours must be a number of GPU-hours above 0 (at most 100000000)")
        }
    }

    static func checkConcurrent(_ value: Int) throws(ComputeError) {
        guard (1...100_000).contains(value) else {
            throw .invalidInput(param: "max_concurrent_gpus", message: "max_concurrent_gpus must be 1–100000 GPUs")
        }
    }

    static func checkModel(_ value: String) throws(ComputeError) {
        let ok = (1...16).contains(value.count) && value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard ok else {
            throw .invalidInput(param: "gpu_model", message: "gpu_model must be a lower-case GPU model as Slurm's gres names it, such as h100, h200 or b200")
        }
    }

    static func checkDays(_ value: Int) throws(ComputeError) {
        guard (1...1_096).contains(value) else {
            throw .invalidInput(param: "period_days", message: "period_days must be 1–1096 days")
        }
    }
}
