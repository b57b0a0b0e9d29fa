/// The computing centre's allocations: projects of organisations (each with a tier), the GPU
/// allocations they request (one open at a time per project), every decision about them, the
/// jobs submitted through Nuri to Slurm, and the GPU-seconds charged to an allocation as those
/// jobs run (one row per charge, so the burn-down can be read by day).
enum Migration0007Compute {
    static let migration = Migration(version: 7, name: "compute", statements: [
        """
        CREATE TABLE compute_projects (
            id TEXT PRIMARY KEY,
            organisation_id TEXT NOT NULL REFERENCES organisations(id),
            name TEXT NOT NULL UNIQUE,
            tier TEXT NOT NULL,
            description TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX compute_projects_by_organisation ON compute_projects (organisation_id)",
        """
        CREATE TABLE compute_allocations (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES compute_projects(id),
            status TEXT NOT NULL,
            gpu_hours DOUBLE PRECISION NOT NULL,
            max_concurrent_gpus BIGINT NOT NULL,
            gpu_model TEXT,
            justification TEXT NOT NULL,
            period_days BIGINT NOT NULL,
            period_start BIGINT,
            period_end BIGINT,
            renewal_gpu_hours DOUBLE PRECISION,
            renewal_period_days BIGINT,
            requested_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            slurm_synced_at BIGINT,
            slurm_error TEXT
        )
        """,
        "CREATE INDEX compute_allocations_by_project ON compute_allocations (project_id, status)",
        """
        CREATE TABLE compute_decisions (
            id TEXT PRIMARY KEY,
            allocation_id TEXT NOT NULL REFERENCES compute_allocations(id),
            seq BIGINT NOT NULL,
            action TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            changes TEXT NOT NULL,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX compute_decisions_by_allocation ON compute_decisions (allocation_id, seq)",
        """
        CREATE TABLE compute_jobs (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES compute_projects(id),
            allocation_id TEXT NOT NULL REFERENCES compute_allocations(id),
            name TEXT NOT NULL,
            gpus BIGINT NOT NULL,
            time_limit_minutes BIGINT NOT NULL,
            command TEXT NOT NULL,
            slurm_job_id TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT,
            preemptions BIGINT NOT NULL,
            charged_gpu_seconds BIGINT NOT NULL,
            submitted_by TEXT NOT NULL,
            submitted_at BIGINT NOT NULL,
            started_at BIGINT,
            ended_at BIGINT,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX compute_jobs_by_project ON compute_jobs (project_id, submitted_at)",
        """
        CREATE TABLE compute_charges (
            id TEXT PRIMARY KEY,
            allocation_id TEXT NOT NULL REFERENCES compute_allocations(id),
            job_id TEXT NOT NULL REFERENCES compute_jobs(id),
            gpu_seconds BIGINT NOT NULL,
            charged_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX compute_charges_by_allocation ON compute_charges (allocation_id, charged_at)",
    ])
}
