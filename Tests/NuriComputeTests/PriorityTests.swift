import Testing
import NuriCompute

/// The multifactor priority, worked by hand from Slurm's formulas
/// (`priority = Σ PriorityWeightX × factorX`, each factor in [0, 1]).
@Suite struct PriorityTests {
    /// 10 nodes of 8 = 80 GPUs; no job is scheduled, so both stay pending.
    func engine(_ policy: SchedulingPolicy = .default) throws -> SchedulingEngine {
        var engine = SchedulingEngine(pool: .uniform(gpus: 80), policy: policy, now: 0)
        try engine.submit(SchedulerJob(id: 1, project: "nat-llm", organisation: "nat", tier: .nationalTeam, gpus: 16, wallTime: 3_600, submitTime: 0), now: 0)
        try engine.submit(SchedulerJob(id: 2, project: "uni-nlp", organisation: "uni", tier: .academic, gpus: 1, wallTime: 3_600, submitTime: 0), now: 0)
        return engine
    }

    @Test("the factors and the priority match Slurm's formulas on a worked example")
    func workedExample() throws {
        let engine = try engine()
        let now = 3.5 * 86_400  // half of PriorityMaxAge (7 days)
        // By hand: age 3.5 d / 7 d = 0.5; QOS national_team 100 / max 100 = 1, academic 50 / 100 = 0.5;
        // job size 16 / 80 = 0.2 and 1 / 80 = 0.0125; fair share: no usage anywhere, so the two
        // organisations tie and both projects share the top rank: 2 / 2 = 1.
        let national = try #require(engine.priorityFactors(of: 1, now: now))
        #expect(national == PriorityFactors(fairshare: 1, age: 0.5, qos: 1, jobSize: 0.2))
        let academic = try #require(engine.priorityFactors(of: 2, now: now))
        #expect(academic == PriorityFactors(fairshare: 1, age: 0.5, qos: 0.5, jobSize: 0.0125))
        // 10000 × 1 + 1000 × 0.5 + 5000 × 1 + 500 × 0.2 = 15,600; the academic job: 10000 + 500 + 2500 + 6.25.
        #expect(engine.priority(of: 1, now: now) == 15_600)
        #expect(engine.priority(of: 2, now: now) == 13_006.25)
    }

    @Test("age stops counting at PriorityMaxAge")
    func ageIsCapped() {
        let policy = SchedulingPolicy.default
        #expect(policy.ageFactor(age: 14 * 86_400) == 1)
        #expect(policy.ageFactor(age: 0) == 0)
        #expect(policy.ageFactor(age: -5) == 0)
    }

    @Test("PriorityFavorSmall gives a 1-GPU job the whole job-size factor")
    func favorSmall() throws {
        var policy = SchedulingPolicy.default
        policy.favorSmall = true
        let engine = try engine(policy)
        // (80 - 1 + 1) / 80 = 1 for the 1-GPU job; (80 - 16 + 1) / 80 = 0.8125 for the 16-GPU one.
        #expect(engine.priorityFactors(of: 2, now: 0)?.jobSize == 1)
        #expect(engine.priorityFactors(of: 1, now: 0)?.jobSize == 0.8125)
    }

    @Test("usage decays to half after one half-life")
    func decayHalvesUsage() throws {
        var policy = SchedulingPolicy.default
        policy.decayHalfLife = 86_400
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: policy, now: 0)
        try engine.submit(SchedulerJob(id: 1, project: "p", organisation: "o", tier: .academic, gpus: 8, wallTime: 2_000, submitTime: 0), now: 0)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 0, pass: .main, into: &events)
        engine.finish(id: 1, now: 1_000)
        // 8 GPUs × 1,000 s, recorded at the next calculation (decay applies to usage recorded before: none).
        engine.recalculate(now: 1_000)
        #expect(engine.decayedUsage(project: "p") == 8_000)
        engine.recalculate(now: 1_000 + 86_400)
        #expect(abs((engine.decayedUsage(project: "p") ?? 0) - 4_000) < 1e-9)
        engine.recalculate(now: 1_000 + 2 * 86_400)
        #expect(abs((engine.decayedUsage(project: "p") ?? 0) - 2_000) < 1e-9)
        #expect(policy.decayFactor(elapsed: 86_400) == 0.5)
    }

    @Test("a running job's usage is recorded as it runs, not only when it ends")
    func runningUsageAccrues() throws {
        var policy = SchedulingPolicy.default
        policy.decayHalfLife = 0  // no decay: usage is plain GPU-seconds
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: policy, now: 0)
        try engine.submit(SchedulerJob(id: 1, project: "p", organisation: "o", tier: .academic, gpus: 4, wallTime: 10_000, submitTime: 0), now: 0)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 100, pass: .main, into: &events)
        engine.recalculate(now: 400)  // 4 GPUs × 300 s
        #expect(engine.decayedUsage(project: "p") == 1_200)
        engine.finish(id: 1, now: 500)  // 100 s more
        engine.recalculate(now: 700)
        #expect(engine.decayedUsage(project: "p") == 1_600)
        #expect(engine.chargedGPUSeconds(project: "p") == 1_600)
    }
}

@Suite struct TierRankTests {
    @Test("a tier's rank is its place in allCases, and count is how many there are")
    func rankIsPosition() {
        for (position, tier) in Tier.allCases.enumerated() { #expect(tier.rank == position) }
        #expect(Tier.count == Tier.allCases.count)
    }
}
