import Testing
import NuriCompute

/// Placement, backfill, preemption and allocation limits on small pools, each expected outcome
/// reasoned out by hand in the comments.
@Suite struct SchedulingTests {
    func job(_ id: Int, _ project: String, _ tier: Tier, gpus: Int, wall: Double, at submit: Double = 0) -> SchedulerJob {
        SchedulerJob(id: id, project: project, organisation: "org-\(project)", tier: tier, gpus: gpus, wallTime: wall, submitTime: submit)
    }

    func started(_ events: [SchedulingEngine.Event]) -> [Int] {
        events.compactMap { if case .started(_, let id, _, _) = $0 { id } else { nil } }
    }

    func preempted(_ events: [SchedulingEngine.Event]) -> [Int] {
        events.compactMap { if case .preempted(_, let id, _) = $0 { id } else { nil } }
    }

    // MARK: Gang placement

    @Test("a job larger than a node takes whole nodes, all at once or not at all")
    func gangAllOrNothing() throws {
        // 4 nodes of 8. Two 5-GPU jobs land on two nodes (best fit), leaving 3 + 3 + 8 + 8 = 22 free
        // GPUs but only two wholly free nodes. A 17-GPU job needs three whole nodes (24 GPUs): it
        // must wait although 22 ≥ 17 GPUs are free, and nothing of it may start.
        var engine = SchedulingEngine(pool: .uniform(gpus: 32), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "a", .academic, gpus: 5, wall: 1_000), now: 0)
        try engine.submit(job(2, "a", .academic, gpus: 5, wall: 1_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        #expect(started(events) == [1, 2])
        try engine.submit(job(3, "b", .academic, gpus: 17, wall: 1_000), now: 1)
        events.removeAll()
        engine.schedule(now: 1, pass: .backfill, into: &events)
        #expect(started(events).isEmpty)
        #expect(engine.status(of: 3) == .pending(.resources, expectedStart: 1_000))
        #expect(engine.busyGPUs == 10)
        // One 5-GPU job ends: three nodes are wholly free, and the job starts on all three.
        engine.finish(id: 1, now: 500)
        events.removeAll()
        engine.schedule(now: 500, pass: .main, into: &events)
        #expect(started(events) == [3])
        guard case .running(_, let nodes) = engine.status(of: 3) else { Issue.record("job 3 is not running"); return }
        #expect(Set(nodes).count == 3)
        #expect(engine.busyGPUs == 5 + 24)
    }

    @Test("one-node jobs fill partly used nodes first, keeping whole nodes free for large jobs")
    func bestFit() throws {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        for id in 1...8 { try engine.submit(job(id, "a", .academic, gpus: 1, wall: 100), now: 0) }
        try engine.submit(job(9, "b", .academic, gpus: 8, wall: 100), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        // Eight 1-GPU jobs share one node; the 8-GPU job gets the other.
        #expect(started(events).count == 9)
    }

    // MARK: Backfill

    /// Two nodes. A national-team job holds node 0 until t = 1,000 (its requested end). A
    /// national-team 16-GPU job then needs both nodes: it is blocked, and its reservation is at
    /// t = 1,000. Node 1 is free now.
    func backfillScenario() throws -> SchedulingEngine {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "running", .nationalTeam, gpus: 8, wall: 1_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        try engine.submit(job(2, "big", .nationalTeam, gpus: 16, wall: 5_000), now: 10)
        return engine
    }

    @Test("backfill starts a lower-priority job that ends before the blocked job's reservation")
    func backfillStartsAShortJob() throws {
        var engine = try backfillScenario()
        // 8 GPUs for 500 s on node 1 ends at 510 ≤ 1,000: it delays nothing.
        try engine.submit(job(3, "short", .academic, gpus: 8, wall: 500), now: 10)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 10, pass: .main, into: &events)
        #expect(started(events).isEmpty, "the main pass stops at the blocked top job")
        engine.schedule(now: 10, pass: .backfill, into: &events)
        #expect(started(events) == [3])
        #expect(engine.status(of: 2) == .pending(.resources, expectedStart: 1_000))
    }

    @Test("backfill refuses a job that would delay the blocked job's reservation, though GPUs are free")
    func backfillRefusesALongJob() throws {
        var engine = try backfillScenario()
        // 8 GPUs for 2,000 s on node 1 would hold it until 2,010 > 1,000: the big job would wait longer.
        try engine.submit(job(3, "long", .academic, gpus: 8, wall: 2_000), now: 10)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 10, pass: .backfill, into: &events)
        #expect(started(events).isEmpty)
        #expect(engine.status(of: 3) == .pending(.priority, expectedStart: nil))
        #expect(engine.freeGPUsByPartition == [8])
        // When node 0 frees at 1,000, the big job starts first.
        engine.finish(id: 1, now: 1_000)
        events.removeAll()
        engine.schedule(now: 1_000, pass: .main, into: &events)
        #expect(started(events) == [2])
    }

    @Test("a one-GPU job may share a node reserved for a small job when GPUs remain for the reservation")
    func backfillSharesANodeWhenTheReservationStillFits() throws {
        // One node: a national-team job of 6 GPUs runs until 1,000; a 4-GPU national-team job is
        // blocked (2 free) with its reservation at 1,000 on that node. A 1-GPU academic job for
        // 5,000 s leaves 8 - 1 = 7 ≥ 4 GPUs free at 1,000, so it may start; a 5-GPU one could not fit now.
        var engine = SchedulingEngine(pool: .uniform(gpus: 8), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "n1", .nationalTeam, gpus: 6, wall: 1_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        try engine.submit(job(2, "n2", .nationalTeam, gpus: 4, wall: 1_000), now: 1)
        try engine.submit(job(3, "u", .academic, gpus: 1, wall: 5_000), now: 1)
        events.removeAll()
        engine.schedule(now: 1, pass: .backfill, into: &events)
        #expect(started(events) == [3])
        #expect(engine.status(of: 2) == .pending(.resources, expectedStart: 1_000))
    }

    // MARK: Preemption

    @Test("a national-team job requeues a lower tier's running job when it cannot otherwise start")
    func nationalTeamPreemptsIndustry() throws {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "i1", .industry, gpus: 8, wall: 10_000), now: 0)
        try engine.submit(job(2, "i2", .industry, gpus: 8, wall: 10_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        try engine.submit(job(3, "nat", .nationalTeam, gpus: 8, wall: 1_000), now: 100)
        events.removeAll()
        engine.schedule(now: 100, pass: .main, into: &events)
        #expect(started(events) == [3])
        let victims = preempted(events)
        #expect(victims.count == 1)
        // The victim's 100 s on 8 GPUs are lost, and it waits in the queue again.
        #expect(events.contains { if case .preempted(_, _, let lost) = $0 { lost == 800 } else { false } })
        let victim = try #require(victims.first)
        guard case .pending = engine.status(of: victim) else { Issue.record("the preempted job is not pending"); return }
        // Its 800 GPU-seconds were used, so they are charged.
        #expect(engine.chargedGPUSeconds(project: victim == 1 ? "i1" : "i2") == 800)
    }

    @Test("a lower tier never preempts a national-team job, nor a national-team job another")
    func neverTheReverse() throws {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "n1", .nationalTeam, gpus: 8, wall: 10_000), now: 0)
        try engine.submit(job(2, "n2", .nationalTeam, gpus: 8, wall: 10_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        try engine.submit(job(3, "ind", .industry, gpus: 1, wall: 100), now: 10)
        try engine.submit(job(4, "n3", .nationalTeam, gpus: 8, wall: 100), now: 10)
        events.removeAll()
        engine.schedule(now: 10, pass: .main, into: &events)
        engine.schedule(now: 10, pass: .backfill, into: &events)
        #expect(preempted(events).isEmpty)
        #expect(started(events).isEmpty)
    }

    @Test("preemption follows the policy: without rights, no job is requeued")
    func preemptionIsPolicy() throws {
        var policy = SchedulingPolicy.default
        policy.preemption = [:]
        var engine = SchedulingEngine(pool: .uniform(gpus: 8), policy: policy, now: 0)
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "i1", .industry, gpus: 8, wall: 10_000), now: 0)
        engine.schedule(now: 0, pass: .main, into: &events)
        try engine.submit(job(2, "nat", .nationalTeam, gpus: 8, wall: 1_000), now: 100)
        events.removeAll()
        engine.schedule(now: 100, pass: .backfill, into: &events)
        #expect(events.isEmpty)
    }

    // MARK: Allocation limits

    func limitedEngine(_ limits: AllocationLimits) -> SchedulingEngine {
        var policy = SchedulingPolicy.default
        policy.organisations = [.init(name: "kaist", projects: [.init(name: "kaist-llm", tier: .academic, limits: limits)])]
        return SchedulingEngine(pool: .uniform(gpus: 64), policy: policy, now: 0)
    }

    @Test("a job that would pass the project's concurrent GPUs waits with AssocGrpGRES, then starts")
    func concurrentGPULimit() throws {
        var engine = limitedEngine(AllocationLimits(maxConcurrentGPUs: 8))
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "kaist-llm", .academic, gpus: 8, wall: 1_000), now: 0)
        try engine.submit(job(2, "kaist-llm", .academic, gpus: 8, wall: 1_000), now: 0)
        engine.schedule(now: 0, pass: .backfill, into: &events)
        // 56 GPUs are free, but the project may hold only 8.
        #expect(started(events) == [1])
        #expect(engine.status(of: 2) == .pending(.concurrentGPULimit, expectedStart: nil))
        #expect(PendingReason.concurrentGPULimit.rawValue == "AssocGrpGRES")
        engine.finish(id: 1, now: 400)
        events.removeAll()
        engine.schedule(now: 400, pass: .main, into: &events)
        #expect(started(events) == [2])
    }

    @Test("a job that could pass the GPU-hour budget waits with AssocGrpGRESMinutes; usage burns the budget down")
    func gpuHourBudget() throws {
        // 1 GPU-hour. Job 1 asks 1 GPU for an hour: it fits exactly. Job 2 asks as much again: with
        // job 1 counted for its whole requested hour, it would pass the budget.
        var engine = limitedEngine(AllocationLimits(gpuHours: 1))
        var events: [SchedulingEngine.Event] = []
        try engine.submit(job(1, "kaist-llm", .academic, gpus: 1, wall: 3_600), now: 0)
        try engine.submit(job(2, "kaist-llm", .academic, gpus: 1, wall: 3_600), now: 0)
        try engine.submit(job(3, "kaist-llm", .academic, gpus: 1, wall: 1_800), now: 0)
        engine.schedule(now: 0, pass: .backfill, into: &events)
        #expect(started(events) == [1])
        #expect(engine.status(of: 2) == .pending(.gpuHourLimit, expectedStart: nil))
        #expect(engine.status(of: 3) == .pending(.gpuHourLimit, expectedStart: nil))
        // Job 1 ends after half an hour: 1,800 GPU-seconds are charged. Job 2 (another hour) still does
        // not fit the 1,800 left; job 3 (half an hour) does.
        engine.finish(id: 1, now: 1_800)
        #expect(engine.chargedGPUSeconds(project: "kaist-llm") == 1_800)
        events.removeAll()
        engine.schedule(now: 1_800, pass: .backfill, into: &events)
        #expect(started(events) == [3])
        #expect(engine.status(of: 2) == .pending(.gpuHourLimit, expectedStart: nil))
    }

    @Test("a job asking another GPU model than its allocation's is refused, with the reason")
    func gpuModelOfTheAllocation() throws {
        var policy = SchedulingPolicy.default
        policy.organisations = [.init(name: "kaist", projects: [.init(name: "kaist-llm", tier: .academic, limits: .init(gpuModel: "h200"))])]
        var engine = SchedulingEngine(pool: .nationalCentre, policy: policy, now: 0)
        var wrong = job(1, "kaist-llm", .academic, gpus: 8, wall: 100)
        wrong.gpuModel = "b200"
        #expect(throws: SubmitRefusal.modelNotAllowed(project: "kaist-llm", asked: "b200", allowed: "h200")) { try engine.submit(wrong, now: 0) }
        // Without a model, the job goes to the allocation's partition.
        try engine.submit(job(2, "kaist-llm", .academic, gpus: 8, wall: 100), now: 0)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 0, pass: .main, into: &events)
        #expect(events.contains { if case .started(_, 2, _, let partition) = $0 { partition == 1 } else { false } })
    }

    @Test("a job larger than its partition is refused at submission instead of waiting forever")
    func tooLarge() {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        #expect(throws: SubmitRefusal.self) { try engine.submit(job(1, "a", .academic, gpus: 24, wall: 100), now: 0) }
        #expect(throws: SubmitRefusal.notPositive(field: "gpus")) { try engine.submit(job(2, "a", .academic, gpus: 0, wall: 100), now: 0) }
    }
}
