import Testing
import NuriCompute

/// Fair Tree ranking, with the expected factors worked out by hand from the algorithm in Slurm's
/// fair_tree documentation (level fairshare S/U among siblings, depth-first ranking, rank / N).
@Suite struct FairTreeTests {
    @Test("every project of an organisation that used more ranks below every project of one that used less")
    func organisationThatUsedMoreRanksLower() {
        var tree = FairTree()
        let a = tree.addOrganisation("a", shares: 1)
        let b = tree.addOrganisation("b", shares: 1)
        let a1 = tree.addProject("a1", organisation: a, shares: 1)
        let a2 = tree.addProject("a2", organisation: a, shares: 1)
        let b1 = tree.addProject("b1", organisation: b, shares: 1)
        let b2 = tree.addProject("b2", organisation: b, shares: 1)
        tree.charge(project: a1, gpuSeconds: 100)
        tree.charge(project: b1, gpuSeconds: 30)
        tree.charge(project: b2, gpuSeconds: 30)
        tree.rank()
        // Organisations: a has S = 0.5, U = 100/160 → LF 0.8; b has S = 0.5, U = 60/160 → LF 1.33.
        // So b's projects come first: b1 and b2 tie (LF 1 each) and share rank 4 → 4/4 = 1.0;
        // then a2 (no usage: LF ∞) rank 2 → 0.5, then a1 rank 1 → 0.25. a2 used nothing, yet
        // ranks below b's projects, because its organisation used more.
        #expect(tree.factor[b1] == 1.0)
        #expect(tree.factor[b2] == 1.0)
        #expect(tree.factor[a2] == 0.5)
        #expect(tree.factor[a1] == 0.25)
        #expect(tree.organisationLevelFairshare[b] > tree.organisationLevelFairshare[a])
    }

    @Test("shares count: an organisation with three times the shares may use more before ranking lower")
    func sharesWeighTheLevelFairshare() {
        var tree = FairTree()
        let big = tree.addOrganisation("big", shares: 3)
        let small = tree.addOrganisation("small", shares: 1)
        let p = tree.addProject("big-p", organisation: big, shares: 1)
        let q = tree.addProject("small-p", organisation: small, shares: 1)
        tree.charge(project: p, gpuSeconds: 60)
        tree.charge(project: q, gpuSeconds: 40)
        tree.rank()
        // big: S 0.75 / U 0.6 = 1.25; small: S 0.25 / U 0.4 = 0.625.
        #expect(tree.organisationLevelFairshare[big] == 1.25)
        #expect(tree.organisationLevelFairshare[small] == 0.625)
        #expect(tree.factor[p] == 1.0)
        #expect(tree.factor[q] == 0.5)
    }

    @Test("tied organisations have their projects ranked together")
    func tiedOrganisationsMergeTheirProjects() {
        var tree = FairTree()
        let a = tree.addOrganisation("a", shares: 1)
        let b = tree.addOrganisation("b", shares: 1)
        let a1 = tree.addProject("a1", organisation: a, shares: 1)
        let a2 = tree.addProject("a2", organisation: a, shares: 1)
        let b1 = tree.addProject("b1", organisation: b, shares: 1)
        let b2 = tree.addProject("b2", organisation: b, shares: 1)
        tree.charge(project: a1, gpuSeconds: 10)
        tree.charge(project: a2, gpuSeconds: 30)
        tree.charge(project: b1, gpuSeconds: 20)
        tree.charge(project: b2, gpuSeconds: 20)
        tree.rank()
        // Both organisations used 40 of 80 with half the shares: LF 1 each, a tie, so their projects are
        // sorted together: a1 (S 0.5 / U 0.25 = 2) first, then b1 and b2 (1 each, tied), then a2 (0.5/0.75 ≈ 0.67).
        #expect(tree.factor[a1] == 1.0)
        #expect(tree.factor[b1] == 0.75)
        #expect(tree.factor[b2] == 0.75)
        #expect(tree.factor[a2] == 0.25)
    }

    @Test("the engine's fair-share factor falls for the project that ran, after a recalculation")
    func engineRanksByUsage() throws {
        var engine = SchedulingEngine(pool: .uniform(gpus: 16), policy: .default, now: 0)
        try engine.submit(SchedulerJob(id: 1, project: "heavy", organisation: "org-heavy", tier: .startup, gpus: 8, wallTime: 3_600, submitTime: 0), now: 0)
        try engine.submit(SchedulerJob(id: 2, project: "light", organisation: "org-light", tier: .startup, gpus: 1, wallTime: 3_600, submitTime: 0), now: 0)
        var events: [SchedulingEngine.Event] = []
        engine.schedule(now: 0, pass: .main, into: &events)
        engine.recalculate(now: 600)
        #expect(engine.fairshareFactor(project: "light") == 1.0)
        #expect(engine.fairshareFactor(project: "heavy") == 0.5)
    }
}
