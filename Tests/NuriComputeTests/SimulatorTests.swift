import Foundation
import Testing
import NuriCompute

@Suite struct SimulatorTests {
    /// Checks that hold for every run: every job that started and was not requeued ends exactly once,
    /// utilisation never passes 1, and the GPU-hours charged to projects are the GPU-seconds the runs
    /// held (finished runs plus the work lost to preemption).
    func checkConservation(_ replay: Simulator.Replay, jobs: [SchedulerJob]) {
        let report = replay.report
        for (job, outcome) in zip(jobs, replay.outcomes) {
            if outcome.end != nil {
                #expect(outcome.finishes == 1, "job \(job.id) ended \(outcome.finishes) times")
                let start = outcome.start ?? .nan
                let end = outcome.end ?? .nan
                #expect(start >= job.submitTime)
                #expect(abs((end - start) - min(job.runTime, job.wallTime)) < 1e-6, "job \(job.id) ran \(end - start) s")
            } else {
                #expect(outcome.finishes == 0)
            }
        }
        #expect(report.utilisation <= 1 + 1e-9)
        #expect(report.samples.allSatisfy { $0.utilisation <= 1 && $0.utilisation >= 0 })
        let runs = zip(jobs, replay.outcomes).reduce(0.0) { sum, pair in
            guard let start = pair.1.start, let end = pair.1.end else { return sum }
            return sum + Double(pair.1.gpus) * (end - start)
        }
        let charged = report.projects.reduce(0.0) { $0 + $1.gpuHours }
        #expect(abs(charged - report.gpuHoursCharged) < 1e-6 * max(1, charged))
        #expect(abs((runs / 3_600 + report.preemptedGPUHoursLost) - charged) < 1e-6 * max(1, charged))
    }

    @Test("a synthetic run finishes every job exactly once and charges exactly the GPU time used")
    func conservation() {
        let workload = SyntheticWorkload(count: 5_000, seed: 11, pool: .uniform(gpus: 512), load: 0.95)
        let replay = Simulator(pool: .uniform(gpus: 512), policy: .default).replay(workload.jobs)
        let report = replay.report
        #expect(report.jobsSubmitted == 5_000)
        #expect(report.jobsFinished == 5_000 - report.jobsRefused.values.reduce(0, +))
        #expect(report.jobsRefused.isEmpty)
        #expect(report.jobsNeverStarted.isEmpty)
        checkConservation(replay, jobs: workload.jobs)
        #expect(report.utilisation > 0.5)
        #expect(report.jainsFairnessIndex > 0 && report.jainsFairnessIndex <= 1)
        #expect(Set(report.tiers.map(\.tier)) == Set(Tier.allCases.map(\.rawValue)))
        // National teams, first by QOS and able to preempt, wait less than industry.
        let national = report.tiers.first { $0.tier == "national_team" }?.queueingDelay.mean ?? .infinity
        let industry = report.tiers.first { $0.tier == "industry" }?.queueingDelay.mean ?? 0
        #expect(national <= industry)
    }

    @Test("preempted jobs are requeued, run again in full, and their lost work is charged")
    func preemptionInTheSimulator() {
        // 16 GPUs. Two industry jobs fill them from t = 0 for 1,000 s; a national-team job arrives at 100.
        let jobs = [
            SchedulerJob(id: 0, project: "ind", organisation: "i", tier: .industry, gpus: 8, wallTime: 1_000, submitTime: 0),
            SchedulerJob(id: 1, project: "ind", organisation: "i", tier: .industry, gpus: 8, wallTime: 1_000, submitTime: 0),
            SchedulerJob(id: 2, project: "nat", organisation: "n", tier: .nationalTeam, gpus: 8, wallTime: 500, submitTime: 100),
        ]
        let replay = Simulator(pool: .uniform(gpus: 16), policy: .default).replay(jobs)
        #expect(replay.report.preemptions == 1)
        #expect(abs(replay.report.preemptedGPUHoursLost - 800.0 / 3_600) < 1e-9)
        #expect(replay.outcomes[2].start == 100)
        #expect(replay.outcomes.map(\.finishes) == [1, 1, 1])
        checkConservation(replay, jobs: jobs)
    }

    @Test("allocation limits hold jobs in the simulator, and the burn never passes the budget")
    func limitsInTheSimulator() throws {
        var policy = SchedulingPolicy.default
        policy.organisations = [.init(name: "o", projects: [.init(name: "capped", tier: .startup, limits: .init(gpuHours: 10, maxConcurrentGPUs: 4))])]
        // Twenty 1-GPU jobs of one hour (requested and run): at most 4 at once, at most 10 GPU-hours.
        let jobs = (0..<20).map { SchedulerJob(id: $0, project: "capped", organisation: "o", tier: .startup, gpus: 1, wallTime: 3_600, submitTime: 0) }
        let replay = Simulator(pool: .uniform(gpus: 64), policy: policy).replay(jobs)
        let report = replay.report
        #expect(report.jobsFinished == 10)
        #expect(report.jobsNeverStarted == ["AssocGrpGRESMinutes": 10])
        let capped = try #require(report.projects.first { $0.project == "capped" })
        #expect(abs(capped.gpuHours - 10) < 1e-9)
        // Never more than 4 at once: the ten jobs ran in three waves (4, 4, 2), ending at 1, 2 and 3 hours.
        let ends = replay.outcomes.compactMap(\.end).sorted()
        #expect(ends.filter { $0 == 3_600 }.count == 4)
        #expect(ends.max() == 10_800)
        #expect(report.burn.first?.burned.allSatisfy { $0 <= 1 } ?? false)
        checkConservation(replay, jobs: jobs)
    }

    @Test("the Alibaba trace replays to the end on a small pool",
          .enabled(if: TraceFiles.alibabaIsPresent, "the Alibaba trace is not at ../shared/data/traces/ (set NURI_TRACES_DIR to its folder)"))
    func replaysAlibaba() throws {
        let trace = try AlibabaTrace(contentsOf: TraceFiles.alibaba)
        let replay = Simulator(pool: .uniform(gpus: 64), policy: .default).replay(trace.jobs)
        #expect(replay.report.jobsFinished == trace.jobs.count)
        checkConservation(replay, jobs: trace.jobs)
    }

    @Test("Jain's index is 1 for equal shares and 1/n when one has everything")
    func jain() {
        #expect(SimulationReport.jainsIndex([2, 2, 2, 2]) == 1)
        #expect(SimulationReport.jainsIndex([1, 0, 0, 0]) == 0.25)
    }

    @Test("the report encodes to JSON and renders HTML with its plots")
    func reportFormats() throws {
        let workload = SyntheticWorkload(count: 500, seed: 3, pool: .uniform(gpus: 64))
        let report = Simulator(pool: .uniform(gpus: 64), policy: .default, policyName: "factory").run(workload.jobs, workload: "synthetic")
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains("\"jainsFairnessIndex\""))
        #expect(json.contains("\"queueingDelay\""))
        let html = SimulationReport.html([report, report])
        #expect(html.components(separatedBy: "<svg").count - 1 >= 2)
        #expect(html.contains("GPU utilisation over time"))
        #expect(html.contains("Queueing delay per tier"))
    }
}

@Suite struct FairDueTests {
    @Test("fair dues fill by weight and pass on what a project does not ask for")
    func maxMinFair() {
        // 100 GPU-hours, equal weights: the first asks only 10, so the other two split the remaining 90.
        #expect(Simulator.maxMinFairShares(total: 100, demands: [10, 100, 100], weights: [1, 1, 1]) == [10, 45, 45])
        // Weights 3:1 and demand above the level for both: 75 and 25.
        #expect(Simulator.maxMinFairShares(total: 100, demands: [500, 500], weights: [3, 1]) == [75, 25])
        // A project with no demand gets nothing.
        #expect(Simulator.maxMinFairShares(total: 10, demands: [0, 50], weights: [1, 1]) == [0, 10])
    }
}
