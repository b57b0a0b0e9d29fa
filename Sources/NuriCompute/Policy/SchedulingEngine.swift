/// The centre's scheduler: one engine for the simulator and for live decisions. It holds pending
/// and running jobs, the Fair Tree and each project's usage against its allocation, and decides
/// which jobs start where, as Slurm's `priority/multifactor` and `sched/backfill` do:
///
/// - `submit` refuses a job that could never run here and queues the rest, with a priority.
/// - `schedule(now:pass:into:)` with `.main` (after a submit or a finish) starts jobs in priority
///   order and stops in a partition at its first job that does not fit; with `.backfill`
///   (every `backfill.interval`) it walks the whole queue, reserves GPUs for blocked jobs and starts
///   lower-priority jobs only where they delay no reservation. Tiers allowed to preempt requeue
///   lower tiers' running jobs when they cannot otherwise start.
/// - `finish` ends a running job and charges its GPU-seconds to its project.
/// - `recalculate(now:)` (every `calculationPeriod`) decays usage, re-ranks the Fair Tree and
///   recomputes every pending job's priority.
///
/// A value type with no I/O: the caller owns the clock and the threads.
public struct SchedulingEngine: Sendable {
    public let policy: SchedulingPolicy
    public let pool: GPUPool

    /// An engine record's index; stable while the job is pending or running.
    public struct JobHandle: Sendable, Hashable {
        public let slot: Int32
    }

    /// What a scheduling pass did.
    public enum Event: Sendable, Equatable {
        /// The job started now on `gpus` GPUs (whole nodes for large jobs) of `partition`.
        case started(JobHandle, id: Int, gpus: Int, partition: Int)
        /// The running job was requeued to make room for a higher tier; its `lostGPUSeconds` of work are lost
        /// (but were used, and are charged).
        case preempted(JobHandle, id: Int, lostGPUSeconds: Double)
    }

    /// Which pass to run.
    public enum Pass: Sendable {
        /// Priority order, stopping in a partition at its first job that does not fit (`default_queue_depth` jobs at most).
        case main
        /// The whole queue (`backfill.depth` jobs at most), with reservations for blocked jobs.
        case backfill
    }

    enum State: UInt8 { case free, pending, held, running }

    struct JobRecord {
        var id: Int
        var project: Int32
        var tier: Tier
        var partition: Int32
        /// GPUs allocated: the request, or whole nodes for a job larger than one node.
        var gpus: Int32
        /// Whole nodes for a job larger than one node, 0 for a one-node job.
        var nodes: Int32
        var wallTime: Double
        var submitTime: Double
        var state: State
        /// Bumped whenever the job leaves the queue, so queue entries naming an older one are skipped.
        var generation: UInt32
        var reason: PendingReason
        var startTime: Double
        /// Expected start from the last backfill pass's reservation (+∞: none).
        var expectedStart: Double
        /// The node of a one-node job.
        var node: Int32
    }

    /// A pending job's place in the queue: higher priority first, then earlier submission, then lower id.
    struct QueueEntry {
        var priority: Double
        var submitTime: Double
        var id: Int
        var slot: Int32
        var generation: UInt32

        @inline(__always) func precedes(_ other: QueueEntry) -> Bool {
            if priority != other.priority { return priority > other.priority }
            if submitTime != other.submitTime { return submitTime < other.submitTime }
            return id < other.id
        }
    }

    // MARK: Jobs
    /// Job records, plain values (copied freely in hot loops).
    var jobs: [JobRecord] = []
    /// The nodes of each running job larger than one node, by slot (kept apart so that records hold no reference).
    var jobNodes: [[Int32]] = []
    var freeSlots: [Int32] = []
    var slotOfID: [Int: Int32] = [:]

    // MARK: Queue: `queue[queueHead...]` sorted, plus recent arrivals in `inbox` (sorted), merged
    // into the queue by backfill passes, recalculations, or when the inbox grows past `inboxLimit`.
    var queue: [QueueEntry] = []
    var queueHead = 0
    var inbox: [QueueEntry] = []
    var scratch: [QueueEntry] = []
    let inboxLimit = 256

    // MARK: Projects
    var tree = FairTree()
    var projectIndex: [String: Int] = [:]
    var organisationIndex: [String: Int] = [:]
    var projectTier: [Tier?] = []
    /// GPU-second budget (+∞: none).
    var projectBudget: [Double] = []
    var projectMaxGPUs: [Int] = []
    var projectPartition: [Int?] = []
    var projectModel: [String?] = []
    var projectRunningGPUs: [Int] = []
    /// Requested GPU-seconds of running jobs (counted against the budget until they end).
    var projectCommitted: [Double] = []
    /// GPU-seconds used by ended runs (finished or preempted).
    var projectCharged: [Double] = []
    /// Usage since the last recalculation, and `Σ gpus × max(start, lastCalculation)` of running jobs.
    var projectNewUsage: [Double] = []
    var projectAccrualAnchor: [Double] = []
    var projectHeld: [[Int32]] = []
    var lastCalculation: Double

    // MARK: Placement
    var nodes: NodeTable
    var qosFactorOfTier: [Double]
    /// `preempts[preemptor.rank * tiers + victim.rank]`: the policy's preemption rights, looked up in hot loops.
    let preempts: [Bool]
    let preemptsAnyone: [Bool]
    var pendingRequeue: [Int32] = []
    /// Where the next search for nodes to preempt starts, per partition (searches rotate over the nodes).
    var preemptCursor: [Int] = []
    var placementScratch: [Int32] = []
    var orderScratch: [(time: Double, node: Int32)] = []

    public init(pool: GPUPool, policy: SchedulingPolicy = .default, now: Double = 0) {
        self.pool = pool
        self.policy = policy
        self.nodes = NodeTable(pool: pool)
        self.lastCalculation = now
        self.qosFactorOfTier = Tier.allCases.map { policy.qosFactor($0) }
        self.preempts = Tier.allCases.flatMap { preemptor in Tier.allCases.map { policy.mayPreempt(preemptor, $0) } }
        self.preemptsAnyone = Tier.allCases.map { !(policy.preemption[$0]?.isEmpty ?? true) }
        self.passState = PassState(partitions: nodes.partitionCount, stride: nodes.stride)
        self.preemptCursor = Array(repeating: 0, count: nodes.partitionCount)
        for organisation in policy.organisations {
            let org = tree.addOrganisation(organisation.name, shares: organisation.shares)
            organisationIndex[organisation.name] = org
            for project in organisation.projects {
                addProject(project.name, organisation: org, shares: project.shares, tier: project.tier, limits: project.limits)
            }
        }
        tree.rank()
    }

    var passState: PassState

    @discardableResult
    mutating func addProject(_ name: String, organisation: Int, shares: Double, tier: Tier?, limits: AllocationLimits) -> Int {
        let index = tree.addProject(name, organisation: organisation, shares: shares)
        projectIndex[name] = index
        projectTier.append(tier)
        projectBudget.append(limits.gpuHours.map { $0 * 3_600 } ?? .infinity)
        projectMaxGPUs.append(limits.maxConcurrentGPUs ?? .max)
        let model = limits.gpuModel?.lowercased()
        projectModel.append(model)
        projectPartition.append(model.flatMap { m in nodes.partitionModels.firstIndex(of: m) })
        projectRunningGPUs.append(0)
        projectCommitted.append(0)
        projectCharged.append(0)
        projectNewUsage.append(0)
        projectAccrualAnchor.append(0)
        projectHeld.append([])
        return index
    }

    mutating func project(named name: String, organisation: String) -> Int {
        if let index = projectIndex[name] { return index }
        let org: Int
        if let known = organisationIndex[organisation] {
            org = known
        } else {
            org = tree.addOrganisation(organisation, shares: 1)
            organisationIndex[organisation] = org
        }
        return addProject(name, organisation: org, shares: 1, tier: nil, limits: AllocationLimits())
    }

    // MARK: Submitting and ending jobs

    /// Queues a job, or refuses it when it could never run on this pool under this policy.
    @discardableResult
    public mutating func submit(_ job: SchedulerJob, now: Double) throws(SubmitRefusal) -> JobHandle {
        guard job.gpus > 0 else { throw .notPositive(field: "gpus") }
        guard job.wallTime > 0 else { throw .notPositive(field: "wall time") }
        guard slotOfID[job.id] == nil else { throw .duplicateID(job.id) }
        let project = project(named: job.project, organisation: job.organisation)
        if projectTier[project] == nil { projectTier[project] = job.tier }
        let partition: Int
        if let asked = job.gpuModel?.lowercased() {
            if let allowed = projectModel[project], allowed != asked {
                throw .modelNotAllowed(project: job.project, asked: asked, allowed: allowed)
            }
            guard let found = nodes.partitionModels.firstIndex(of: asked) else { throw .noPartition(gpuModel: asked) }
            partition = found
        } else if let allowed = projectModel[project] {
            guard let found = projectPartition[project] else { throw .noPartition(gpuModel: allowed) }
            partition = found
        } else {
            partition = nodes.partitionFree.indices.max { nodes.partitionFree[$0] < nodes.partitionFree[$1] } ?? 0
        }
        let perNode = nodes.partitionGPUsPerNode[partition]
        let wholeNodes = job.gpus > perNode ? (job.gpus + perNode - 1) / perNode : 0
        let allocated = wholeNodes > 0 ? wholeNodes * perNode : job.gpus
        guard wholeNodes <= nodes.partitionNodeCount[partition], allocated <= nodes.partitionGPUs(partition) else {
            throw .tooLarge(gpus: job.gpus, partition: nodes.partitionNames[partition], partitionGPUs: nodes.partitionGPUs(partition))
        }
        let record = JobRecord(
            id: job.id, project: Int32(project), tier: projectTier[project] ?? job.tier, partition: Int32(partition),
            gpus: Int32(allocated), nodes: Int32(wholeNodes), wallTime: job.wallTime, submitTime: job.submitTime,
            state: .pending, generation: 0, reason: .priority, startTime: 0, expectedStart: .infinity, node: -1)
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            let generation = jobs[Int(reused)].generation &+ 1
            jobs[Int(reused)] = record
            jobs[Int(reused)].generation = generation
        } else {
            slot = Int32(jobs.count)
            jobs.append(record)
            jobNodes.append([])
        }
        slotOfID[job.id] = slot
        enqueue(slot, now: now)
        return JobHandle(slot: slot)
    }

    /// Ends a running job (it finished, failed or reached its wall time) and charges its GPU-seconds.
    public mutating func finish(_ handle: JobHandle, now: Double) {
        let slot = Int(handle.slot)
        guard slot < jobs.count, jobs[slot].state == .running else { return }
        stopRunning(handle.slot, now: now)
        let project = Int(jobs[slot].project)
        slotOfID[jobs[slot].id] = nil
        jobs[slot].state = .free
        jobs[slot].generation &+= 1
        jobNodes[slot] = []
        freeSlots.append(handle.slot)
        releaseHeld(project: project, now: now)
    }

    /// Ends a running job by its id; false if no running job has it.
    @discardableResult
    public mutating func finish(id: Int, now: Double) -> Bool {
        guard let slot = slotOfID[id], jobs[Int(slot)].state == .running else { return false }
        finish(JobHandle(slot: slot), now: now)
        return true
    }

    /// Withdraws a pending job (Slurm's `scancel` of a pending job); false if no pending job has it.
    @discardableResult
    public mutating func cancel(id: Int) -> Bool {
        guard let slot = slotOfID[id] else { return false }
        let index = Int(slot)
        switch jobs[index].state {
        case .pending: break
        case .held: projectHeld[Int(jobs[index].project)].removeAll { $0 == slot }
        case .running, .free: return false
        }
        slotOfID[id] = nil
        jobs[index].state = .free
        jobs[index].generation &+= 1
        freeSlots.append(slot)
        return true
    }

    /// Takes a running job off its nodes and charges what it used; the caller sets its next state.
    mutating func stopRunning(_ slot: Int32, now: Double) {
        let index = Int(slot)
        let job = jobs[index]
        if job.nodes == 0 {
            nodes.release(job: slot, node: Int(job.node))
        } else {
            for node in jobNodes[index] { nodes.release(job: slot, node: Int(node)) }
        }
        let project = Int(job.project)
        let gpus = Double(job.gpus)
        let ran = max(0, now - job.startTime)
        projectRunningGPUs[project] -= Int(job.gpus)
        projectCommitted[project] -= gpus * job.wallTime
        projectCharged[project] += gpus * ran
        let accrualFrom = max(job.startTime, lastCalculation)
        projectNewUsage[project] += gpus * max(0, now - accrualFrom)
        projectAccrualAnchor[project] -= gpus * accrualFrom
    }

    /// Marks a job running on the nodes it was placed on.
    mutating func markStarted(_ slot: Int32, now: Double, events: inout [Event]) {
        let index = Int(slot)
        leaveQueue(slot)
        jobs[index].state = .running
        jobs[index].startTime = now
        jobs[index].expectedStart = .infinity
        let project = Int(jobs[index].project)
        let gpus = Int(jobs[index].gpus)
        projectRunningGPUs[project] += gpus
        projectCommitted[project] += Double(gpus) * jobs[index].wallTime
        projectAccrualAnchor[project] += Double(gpus) * now
        events.append(.started(JobHandle(slot: slot), id: jobs[index].id, gpus: gpus, partition: Int(jobs[index].partition)))
    }

    @inline(__always) mutating func leaveQueue(_ slot: Int32) {
        jobs[Int(slot)].generation &+= 1
    }

    // MARK: Recalculation

    /// Decays usage by the time since the last recalculation, adds the usage of that time, re-ranks
    /// the Fair Tree and recomputes every pending job's priority (`PriorityCalcPeriod`).
    public mutating func recalculate(now: Double) {
        let decay = policy.decayFactor(elapsed: now - lastCalculation)
        tree.decay(by: decay)
        for project in 0..<tree.projectCount {
            let running = Double(projectRunningGPUs[project]) * now - projectAccrualAnchor[project]
            tree.charge(project: project, gpuSeconds: projectNewUsage[project] + running)
            projectNewUsage[project] = 0
            projectAccrualAnchor[project] = Double(projectRunningGPUs[project]) * now
        }
        lastCalculation = now
        tree.rank()
        rebuildQueue(now: now, recomputePriorities: true)
    }
}
