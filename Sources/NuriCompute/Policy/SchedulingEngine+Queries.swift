/// What the engine can tell about its jobs and projects (what `squeue`, `sprio` and `sshare` show).
extension SchedulingEngine {
    /// A job's state as `squeue` would show it.
    public enum JobStatus: Sendable, Equatable {
        /// Waiting, with Slurm's reason; `expectedStart` is the reservation made for it by the last
        /// backfill pass, if any.
        case pending(PendingReason, expectedStart: Double?)
        /// Running since `since` on these nodes (indices into the pool's nodes, partition by partition).
        case running(since: Double, nodes: [Int])
    }

    /// The status of a job the engine holds (nil once it has finished, or if it was never submitted).
    public func status(of id: Int) -> JobStatus? {
        guard let slot = slotOfID[id] else { return nil }
        let job = jobs[Int(slot)]
        switch job.state {
        case .pending, .held:
            return .pending(job.reason, expectedStart: job.expectedStart.isFinite ? job.expectedStart : nil)
        case .running:
            return .running(since: job.startTime, nodes: job.nodes == 0 ? [Int(job.node)] : jobNodes[Int(slot)].map(Int.init))
        case .free:
            return nil
        }
    }

    /// The handle of a job the engine holds.
    public func handle(of id: Int) -> JobHandle? { slotOfID[id].map(JobHandle.init(slot:)) }

    /// The id of the job behind a handle.
    public func id(of handle: JobHandle) -> Int { jobs[Int(handle.slot)].id }

    /// A pending or running job's priority factors now (`sprio`).
    public func priorityFactors(of id: Int, now: Double) -> PriorityFactors? {
        guard let slot = slotOfID[id] else { return nil }
        return factors(of: jobs[Int(slot)], now: now)
    }

    /// A pending or running job's priority now.
    public func priority(of id: Int, now: Double) -> Double? {
        priorityFactors(of: id, now: now).map(policy.priority)
    }

    /// Jobs waiting (in the queue or held by their allocation's limits).
    public var pendingCount: Int { jobs.reduce(0) { $0 + ($1.state == .pending || $1.state == .held ? 1 : 0) } }

    /// Ids of the running jobs.
    public var runningIDs: [Int] { jobs.filter { $0.state == .running }.map(\.id) }

    /// GPUs held by running jobs.
    public var busyGPUs: Int { pool.totalGPUs - nodes.partitionFree.reduce(0, +) }

    /// Free GPUs of each partition, in the pool's order.
    public var freeGPUsByPartition: [Int] { nodes.partitionFree }

    /// Projects the engine knows, in the order it met them.
    public var projectNames: [String] { tree.projectNames }

    /// A project's Fair Tree factor after the last recalculation (`sshare`'s FairShare).
    public func fairshareFactor(project: String) -> Double? {
        projectIndex[project].map { tree.factor[$0] }
    }

    /// A project's decayed usage at the last recalculation, GPU-seconds (`sshare`'s RawUsage).
    public func decayedUsage(project: String) -> Double? {
        projectIndex[project].map { tree.usage[$0] }
    }

    /// GPU-seconds charged to a project by ended runs (finished or preempted).
    public func chargedGPUSeconds(project: String) -> Double? {
        projectIndex[project].map { projectCharged[$0] }
    }

    /// The Fair Tree as ranked at the last recalculation.
    public var fairTree: FairTree { tree }

    /// The organisation of each known project, in `projectNames` order.
    public var projectOrganisations: [String] { tree.projectOrganisation.map { tree.organisationNames[$0] } }

    /// A project's GPU-hour budget (nil: none).
    public func budgetGPUHours(project: String) -> Double? {
        guard let index = projectIndex[project], projectBudget[index].isFinite else { return nil }
        return projectBudget[index] / 3_600
    }
}

extension SchedulingEngine {
    /// Whether any job may be waiting in the queue (cheap; entries of jobs that left count until a pass drops them).
    public var hasQueuedJobs: Bool { queueHead < queue.count || !inbox.isEmpty }

    /// Waiting jobs by reason.
    public func pendingReasons() -> [PendingReason: Int] {
        var counts: [PendingReason: Int] = [:]
        for job in jobs where job.state == .pending || job.state == .held { counts[job.reason, default: 0] += 1 }
        return counts
    }

    /// The Fair Tree share of the pool a project is entitled to: its organisation's share of all
    /// organisations' times its share of the organisation's projects.
    public func entitledShare(project: String) -> Double? {
        guard let index = projectIndex[project] else { return nil }
        let org = tree.projectOrganisation[index]
        let orgTotal = tree.organisationShares.reduce(0, +)
        let projectTotal = tree.organisationProjects[org].reduce(0) { $0 + tree.projectShares[$1] }
        guard orgTotal > 0, projectTotal > 0 else { return 0 }
        return tree.organisationShares[org] / orgTotal * tree.projectShares[index] / projectTotal
    }

    /// A project's tier (the policy's, else that of its first job).
    public func tier(project: String) -> Tier? {
        projectIndex[project].flatMap { projectTier[$0] }
    }
}
