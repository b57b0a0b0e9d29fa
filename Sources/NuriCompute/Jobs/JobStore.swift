import Foundation
import NuriStore
import SQLKit

/// Jobs submitted through Nuri and the GPU-seconds charged for them.
///
/// Charging is idempotent: Slurm reports a job's total use (every run, also those a preemption
/// cut short), the job row holds what was charged already, and only the difference is charged,
/// in one transaction that also moves the job's counter — so syncing twice charges once.
public struct JobStore: Sendable {
    let database: Database
    let now: @Sendable () -> Int

    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.now = now
    }

    /// Records a job Slurm accepted.
    public func record(_ request: JobRequest, project: Project, allocationID: String, slurmJobID: String, actor: String) async throws -> ComputeJob {
        let at = now()
        let job = ComputeJob(id: RecordIdentifier.make("job"), projectID: project.id, project: project.name, allocationID: allocationID,
                             name: request.name, gpus: request.gpus, timeLimitMinutes: request.timeLimitMinutes, command: request.command,
                             slurmJobID: slurmJobID, state: "PENDING", reason: nil, preemptions: 0, chargedGPUSeconds: 0,
                             submittedBy: actor, submittedAt: at, startedAt: nil, endedAt: nil, updatedAt: at)
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO compute_jobs (id, project_id, allocation_id, name, gpus, time_limit_minutes, command, slurm_job_id, state, reason,
                                          preemptions, charged_gpu_seconds, submitted_by, submitted_at, started_at, ended_at, updated_at)
                VALUES (\(bind: job.id), \(bind: job.projectID), \(bind: allocationID), \(bind: job.name), \(bind: job.gpus),
                        \(bind: job.timeLimitMinutes), \(bind: job.command), \(bind: slurmJobID), \(bind: job.state), \(bind: String?.none),
                        0, 0, \(bind: actor), \(bind: at), \(bind: Int?.none), \(bind: Int?.none), \(bind: at))
                """).run()
        }
        return job
    }

    /// One job, or 404.
    public func job(_ id: String) async throws -> ComputeJob {
        let found = try await database.read { db in
            try await db.raw("\(unsafeRaw: Self.select) WHERE j.id = \(bind: id)").first().map(Self.job)
        }
        guard let found else { throw ComputeError.notFound(kind: "job", name: id) }
        return found
    }

    /// Jobs, newest first: all, or those of the given projects.
    public func jobs(projectIDs: [String]? = nil, limit: Int = 1_000) async throws -> [ComputeJob] {
        try await database.read { db in
            var query = SQLQueryString("\(unsafeRaw: Self.select)")
            if let projectIDs {
                guard !projectIDs.isEmpty else { return [] }
                query.appendInterpolation(unsafeRaw: " WHERE j.project_id IN (")
                for (index, id) in projectIDs.enumerated() {
                    if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(bind: id)
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            query.appendInterpolation(unsafeRaw: " ORDER BY j.submitted_at DESC, j.id LIMIT \(max(1, min(limit, 10_000)))")
            return try await db.raw(query).all().map(Self.job)
        }
    }

    /// Jobs whose state or use may still change: Slurm is not done with them.
    public func unfinished() async throws -> [ComputeJob] {
        let finals = SlurmJobState.final.sorted().map { "'\($0)'" }.joined(separator: ", ")
        return try await database.read { db in
            try await db.raw("\(unsafeRaw: Self.select) WHERE j.state NOT IN (\(unsafeRaw: finals)) ORDER BY j.submitted_at").all().map(Self.job)
        }
    }

    /// Takes what Slurm reports of a job: its state and reason, and charges the allocation the
    /// GPU-seconds not charged yet. Returns the job as updated, and the GPU-seconds charged now.
    @discardableResult
    public func apply(_ report: SlurmJobReport, to jobID: String) async throws -> (job: ComputeJob, charged: Int) {
        let at = now()
        return try await database.transaction { db in
            guard var job = try await db.raw("\(unsafeRaw: Self.select) WHERE j.id = \(bind: jobID)").first().map(Self.job) else {
                throw ComputeError.notFound(kind: "job", name: jobID)
            }
            // Slurm's count only grows; a smaller one (a record not yet in the accounting
            // database) charges nothing and takes nothing back.
            let delta = max(report.gpuSeconds - job.chargedGPUSeconds, 0)
            if delta > 0 {
                try await db.raw("""
                    INSERT INTO compute_charges (id, allocation_id, job_id, gpu_seconds, charged_at)
                    VALUES (\(bind: RecordIdentifier.make("chg")), \(bind: job.allocationID), \(bind: job.id), \(bind: delta), \(bind: at))
                    """).run()
                job.chargedGPUSeconds += delta
            }
            // A finished job stays finished: a report that lags behind does not reopen it.
            if !job.isFinished {
                job.state = report.state
                job.reason = report.reason
                job.preemptions = max(job.preemptions, report.preemptions)
                job.startedAt = report.startedAt ?? job.startedAt
                job.endedAt = report.endedAt
            }
            job.updatedAt = at
            try await db.raw("""
                UPDATE compute_jobs SET state = \(bind: job.state), reason = \(bind: job.reason), preemptions = \(bind: job.preemptions),
                    charged_gpu_seconds = \(bind: job.chargedGPUSeconds), started_at = \(bind: job.startedAt), ended_at = \(bind: job.endedAt),
                    updated_at = \(bind: at)
                WHERE id = \(bind: job.id)
                """).run()
            return (job, delta)
        }
    }

    static let select = """
        SELECT j.*, p.name AS project_name FROM compute_jobs j JOIN compute_projects p ON p.id = j.project_id
        """

    static func job(_ row: any SQLRow) throws -> ComputeJob {
        ComputeJob(
            id: try row.decode(column: "id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self),
            project: try row.decode(column: "project_name", as: String.self),
            allocationID: try row.decode(column: "allocation_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            gpus: try row.decode(column: "gpus", as: Int.self),
            timeLimitMinutes: try row.decode(column: "time_limit_minutes", as: Int.self),
            command: try row.decode(column: "command", as: String.self),
            slurmJobID: try row.decode(column: "slurm_job_id", as: String.self),
            state: try row.decode(column: "state", as: String.self),
            reason: try row.decode(column: "reason", as: String?.self),
            preemptions: try row.decode(column: "preemptions", as: Int.self),
            chargedGPUSeconds: try row.decode(column: "charged_gpu_seconds", as: Int.self),
            submittedBy: try row.decode(column: "submitted_by", as: String.self),
            submittedAt: try row.decode(column: "submitted_at", as: Int.self),
            startedAt: try row.decode(column: "started_at", as: Int?.self),
            endedAt: try row.decode(column: "ended_at", as: Int?.self),
            updatedAt: try row.decode(column: "updated_at", as: Int.self))
    }
}
