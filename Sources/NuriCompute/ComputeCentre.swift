import Foundation
import NuriStore

/// The computing centre's decisions and jobs over one database, and over a Slurm cluster when
/// one is configured: each allocation decision is recorded first (one transaction), then
/// applied to Slurm; a failure to apply is kept on the allocation (`slurm_error`) for the
/// operator to see and retry with ``syncAllocation(_:)``, never rolled into a half-done state.
public struct ComputeCentre: Sendable {
    public let allocations: AllocationStore
    public let jobs: JobStore
    /// Nil: allocations are recorded but no cluster enforces them, and jobs cannot be submitted.
    public let slurm: SlurmDriver?

    public init(database: Database, slurm: SlurmDriver?, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        allocations = AllocationStore(database: database, now: now)
        jobs = JobStore(database: database, now: now)
        self.slurm = slurm
    }

    // MARK: Decisions, applied to Slurm

    public func approve(_ id: String, change: AllocationChange = AllocationChange(), reason: String, actor: String) async throws -> Allocation {
        try await applied(try await allocations.approve(id, change: change, reason: reason, actor: actor), resetUsage: true)
    }

    public func deny(_ id: String, reason: String, actor: String) async throws -> Allocation {
        try await applied(try await allocations.deny(id, reason: reason, actor: actor), resetUsage: false)
    }

    public func change(_ id: String, _ change: AllocationChange, reason: String, actor: String) async throws -> Allocation {
        try await applied(try await allocations.change(id, change, reason: reason, actor: actor), resetUsage: false)
    }

    public func revoke(_ id: String, reason: String, actor: String) async throws -> Allocation {
        try await applied(try await allocations.revoke(id, reason: reason, actor: actor), resetUsage: false)
    }

    /// Applies an allocation's current state to Slurm again (after a failure, say).
    public func syncAllocation(_ id: String) async throws -> Allocation {
        try await applied(try await allocations.allocation(id), resetUsage: false)
    }

    /// Expires every allocation whose period ended, and blocks their Slurm accounts.
    @discardableResult
    public func expireDue() async throws -> [Allocation] {
        var expired: [Allocation] = []
        for allocation in try await allocations.expireDue() { expired.append(try await applied(allocation, resetUsage: false)) }
        return expired
    }

    private func applied(_ allocation: Allocation, resetUsage: Bool) async throws -> Allocation {
        guard let slurm, allocation.status != .new, allocation.status != .denied else { return allocation }
        do {
            let project = try await allocations.project(allocation.projectID)
            try await slurm.apply(allocation, project: project, resetUsage: resetUsage)
            try await allocations.recordSlurmSync(allocation.id, error: nil)
        } catch let error as SlurmError {
            try await allocations.recordSlurmSync(allocation.id, error: error.description)
        }
        return try await allocations.allocation(allocation.id)
    }

    // MARK: Jobs

    /// Submits a job for a project to Slurm, under its running allocation.
    public func submit(_ request: JobRequest, project: Project, actor: String) async throws -> ComputeJob {
        try request.validate()
        guard let slurm else { throw SlurmError.notConfigured }
        try await expireDue()
        guard let allocation = try await allocations.openAllocation(projectID: project.id), allocation.status.isRunning else {
            throw ComputeError.noActiveAllocation(project: project.name)
        }
        let slurmJobID = try await slurm.submit(request, project: project, allocation: allocation)
        do {
            return try await jobs.record(request, project: project, allocationID: allocation.id, slurmJobID: slurmJobID, actor: actor)
        } catch {
            // Not recorded, so it would never be charged: take it back from Slurm.
            try? await slurm.cancel(slurmJobID: slurmJobID)
            throw error
        }
    }

    /// Cancels a job in Slurm and records what Slurm then says of it.
    public func cancel(_ jobID: String) async throws -> ComputeJob {
        guard let slurm else { throw SlurmError.notConfigured }
        let job = try await jobs.job(jobID)
        try await slurm.cancel(slurmJobID: job.slurmJobID)
        return try await sync(jobIDs: [job.id]).jobs.first ?? job
    }

    /// What a sync did.
    public struct SyncSummary: Sendable, Codable {
        public var jobs: [ComputeJob] = []
        /// GPU-seconds charged by this sync, over all jobs.
        public var chargedGPUSeconds = 0
        /// Allocations expired by this sync.
        public var expired: [String] = []

        enum CodingKeys: String, CodingKey {
            case jobs
            case chargedGPUSeconds = "charged_gpu_seconds"
            case expired
        }
    }

    /// Takes Slurm's view of every unfinished job (or of `jobIDs`): state, reason, and the
    /// GPU-seconds not charged yet. Also expires allocations whose period ended. Idempotent.
    public func sync(jobIDs: [String]? = nil) async throws -> SyncSummary {
        guard let slurm else { throw SlurmError.notConfigured }
        var summary = SyncSummary()
        summary.expired = try await expireDue().map(\.id)
        let candidates: [ComputeJob]
        if let jobIDs {
            var found: [ComputeJob] = []
            for id in jobIDs { found.append(try await jobs.job(id)) }
            candidates = found
        } else {
            candidates = try await jobs.unfinished()
        }
        let reports = try await slurm.reports(slurmJobIDs: candidates.map(\.slurmJobID))
        for job in candidates {
            guard let report = reports[job.slurmJobID] else {
                summary.jobs.append(job)
                continue
            }
            let (updated, charged) = try await jobs.apply(report, to: job.id)
            summary.jobs.append(updated)
            summary.chargedGPUSeconds += charged
        }
        return summary
    }
}
