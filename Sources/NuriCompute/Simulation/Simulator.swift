import Foundation

/// Replays a job trace through the scheduling engine, event by event: submissions and ends from
/// the trace, and the engine's periodic work (backfill passes every `backfill.interval`, usage
/// decay and priorities every `calculationPeriod`). After every instant with a submission or an
/// end, the main pass runs, as Slurm's scheduler does on those events.
///
/// A job runs for its run time, or until its requested wall time if that is shorter (ended there,
/// as Slurm ends it). A preempted job goes back to the queue and, when it starts again, runs its
/// whole run time again (its work was lost).
public struct Simulator: Sendable {
    public let pool: GPUPool
    public let policy: SchedulingPolicy
    /// A name for the policy in reports.
    public var policyName: String
    /// Time series points over the run (about this many).
    public var samples = 400

    public init(pool: GPUPool, policy: SchedulingPolicy, policyName: String = "default") {
        self.pool = pool
        self.policy = policy
        self.policyName = policyName
    }

    /// What happened to one job.
    public struct JobOutcome: Sendable, Equatable {
        /// Last start (nil: never started), end (nil: never finished), seconds.
        public var start: Double?
        public var end: Double?
        /// Times the job ended (1 for every job that ran to its end).
        public var finishes: Int
        public var preemptions: Int
        /// GPUs it held (whole nodes for a large job).
        public var gpus: Int
    }

    /// A run's report and every job's outcome, in the order of the input.
    public struct Replay: Sendable {
        public var report: SimulationReport
        public var outcomes: [JobOutcome]
    }

    /// Runs `jobs` (any order; their `submitTime`s order them) and measures. `progress` is called
    /// with the share of jobs submitted so far, about a hundred times.
    public func run(_ input: [SchedulerJob], workload: String = "trace",
                    progress: (@Sendable (Double) -> Void)? = nil) -> SimulationReport {
        replay(input, workload: workload, progress: progress, keepOutcomes: false).report
    }

    /// Runs `jobs` and also returns every job's outcome (input order).
    public func replay(_ input: [SchedulerJob], workload: String = "trace",
                       progress: (@Sendable (Double) -> Void)? = nil, keepOutcomes: Bool = true) -> Replay {
        let clockStart = Date()
        var jobs = input
        var inputOrder: [Int]? = nil
        if !zip(jobs, jobs.dropFirst()).allSatisfy({ $0.submitTime <= $1.submitTime }) {
            let order = jobs.indices.sorted { jobs[$0].submitTime != jobs[$1].submitTime ? jobs[$0].submitTime < jobs[$1].submitTime : $0 < $1 }
            jobs = order.map { input[$0] }
            inputOrder = order
        }
        let count = jobs.count
        let firstSubmit = jobs.first?.submitTime ?? 0
        let lastSubmit = jobs.last?.submitTime ?? 0
        var engine = SchedulingEngine(pool: pool, policy: policy, now: firstSubmit)

        // Per job: engine slot, attempt (bumped at preemption), final start, end, allocated GPUs.
        var slot = [Int32](repeating: -1, count: count)
        var attempt = [Int32](repeating: 0, count: count)
        var start = [Double](repeating: .nan, count: count)
        var end = [Double](repeating: .nan, count: count)
        var allocated = [Int32](repeating: 0, count: count)
        var finishCount = [Int32](repeating: 0, count: count)
        var preemptCount = [Int32](repeating: 0, count: count)
        // GPU-seconds each job ran while jobs were arriving (first to last submission).
        var windowUsed = [Double](repeating: 0, count: count)
        @inline(__always) func overlap(_ from: Double, _ to: Double) -> Double {
            max(0, min(to, lastSubmit) - max(from, firstSubmit))
        }
        // The engine knows each job by its position in submission order (ids need not be unique in a trace).
        for index in jobs.indices { jobs[index].id = index }

        var finishes = FinishQueue()
        finishes.reserve(min(count, 1 << 20))
        var events: [SchedulingEngine.Event] = []
        events.reserveCapacity(1_024)
        var refused: [String: Int] = [:]
        var preemptions = 0, timedOut = 0, running = 0, finished = 0
        var lostGPUSeconds = 0.0, chargedGPUSeconds = 0.0, busyGPUSeconds = 0.0, arrivalBusyGPUSeconds = 0.0

        let interval = policy.backfill.interval
        let period = policy.calculationPeriod
        let sampleInterval = max(60, (lastSubmit - firstSubmit) / Double(max(samples, 1)))
        var nextBackfill = firstSubmit + interval
        var nextCalculation = firstSubmit + period
        var nextSample = firstSubmit
        var nextSubmit = 0
        var clock = firstSubmit
        var lastEnd = firstSubmit
        var series: [SimulationReport.Sample] = []
        var burnProjects: [String] = []
        var burnSeries: [[Double]] = []
        let progressStep = max(1, count / 100)

        while true {
            let submitTime = nextSubmit < count ? jobs[nextSubmit].submitTime : .infinity
            let finishTime = finishes.first?.time ?? .infinity
            if submitTime == .infinity, finishTime == .infinity {
                // Nothing more arrives or ends: one last pass may still start queued jobs.
                guard engine.hasQueuedJobs else { break }
                events.removeAll(keepingCapacity: true)
                engine.schedule(now: clock, pass: .backfill, into: &events)
                if events.isEmpty { break }
            } else {
                let now = min(submitTime, finishTime, nextBackfill, nextCalculation, nextSample)
                let busy = Double(engine.busyGPUs)
                busyGPUSeconds += busy * (now - clock)
                if clock < lastSubmit { arrivalBusyGPUSeconds += busy * (min(now, lastSubmit) - clock) }
                clock = now
                var changed = false
                while let top = finishes.first, top.time <= now {
                    _ = finishes.pop()
                    let job = Int(top.job)
                    guard top.attempt == attempt[job] else { continue }
                    engine.finish(SchedulingEngine.JobHandle(slot: top.slot), now: now)
                    end[job] = now
                    finishCount[job] += 1
                    chargedGPUSeconds += Double(allocated[job]) * (now - start[job])
                    windowUsed[job] += Double(allocated[job]) * overlap(start[job], now)
                    running -= 1
                    finished += 1
                    lastEnd = now
                    changed = true
                }
                while nextSubmit < count, jobs[nextSubmit].submitTime <= now {
                    do {
                        let handle = try engine.submit(jobs[nextSubmit], now: now)
                        slot[nextSubmit] = handle.slot
                    } catch {
                        refused[Self.reasonName(error), default: 0] += 1
                    }
                    nextSubmit += 1
                    if nextSubmit % progressStep == 0 { progress?(Double(nextSubmit) / Double(count)) }
                    changed = true
                }
                if now >= nextCalculation {
                    engine.recalculate(now: now)
                    while nextCalculation <= now { nextCalculation += period }
                }
                if now >= nextSample {
                    series.append(.init(time: now - firstSubmit, utilisation: Double(engine.busyGPUs) / Double(max(pool.totalGPUs, 1)),
                                        pendingJobs: nextSubmit - finished - running - refused.values.reduce(0, +), runningJobs: running))
                    if burnProjects.isEmpty {
                        burnProjects = engine.projectNames.filter { engine.budgetGPUHours(project: $0) != nil }
                        burnSeries = Array(repeating: [], count: burnProjects.count)
                    }
                    for (index, project) in burnProjects.enumerated() {
                        let budget = (engine.budgetGPUHours(project: project) ?? 1) * 3_600
                        burnSeries[index].append((engine.chargedGPUSeconds(project: project) ?? 0) / budget)
                    }
                    while nextSample <= now { nextSample += sampleInterval }
                }
                events.removeAll(keepingCapacity: true)
                if now >= nextBackfill {
                    if engine.hasQueuedJobs { engine.schedule(now: now, pass: .backfill, into: &events) }
                    while nextBackfill <= now { nextBackfill += interval }
                } else if changed {
                    engine.schedule(now: now, pass: .main, into: &events)
                }
            }
            for event in events {
                switch event {
                case .started(let handle, let id, let gpus, _):
                    let job = id
                    slot[job] = handle.slot
                    start[job] = clock
                    allocated[job] = Int32(gpus)
                    running += 1
                    let ran = min(jobs[job].runTime, jobs[job].wallTime)
                    if jobs[job].runTime > jobs[job].wallTime { timedOut += 1 }
                    finishes.push(.init(time: clock + ran, job: Int32(job), attempt: attempt[job], slot: handle.slot))
                case .preempted(_, let id, let lost):
                    let job = id
                    attempt[job] += 1
                    preemptCount[job] += 1
                    preemptions += 1
                    lostGPUSeconds += lost
                    chargedGPUSeconds += lost
                    windowUsed[job] += Double(allocated[job]) * overlap(start[job], clock)
                    if jobs[job].runTime > jobs[job].wallTime { timedOut -= 1 }
                    running -= 1
                }
            }
        }
        progress?(1)

        // Figures.
        let makespan = max(lastEnd - firstSubmit, 0)
        var delays: [Double] = [], completions: [Double] = []
        delays.reserveCapacity(finished)
        completions.reserveCapacity(finished)
        var tierDelays = Array(repeating: [Double](), count: Tier.allCases.count)
        var tierCompletions = Array(repeating: [Double](), count: Tier.allCases.count)
        var tierJobs = Array(repeating: 0, count: Tier.allCases.count)
        var tierGPUSeconds = Array(repeating: 0.0, count: Tier.allCases.count)
        var projectJobs: [String: Int] = [:], projectDemand: [String: Double] = [:], projectWindowUsed: [String: Double] = [:]
        for job in 0..<count {
            let tier = engine.tier(project: jobs[job].project)?.rank ?? jobs[job].tier.rank
            projectJobs[jobs[job].project, default: 0] += 1
            let held = allocated[job] > 0 ? Int(allocated[job]) : jobs[job].gpus
            projectDemand[jobs[job].project, default: 0] += Double(held) * min(jobs[job].runTime, jobs[job].wallTime)
            projectWindowUsed[jobs[job].project, default: 0] += windowUsed[job]
            tierJobs[tier] += 1
            guard end[job].isFinite else { continue }
            let delay = start[job] - jobs[job].submitTime
            let completion = end[job] - jobs[job].submitTime
            delays.append(delay)
            completions.append(completion)
            tierDelays[tier].append(delay)
            tierCompletions[tier].append(completion)
            let used = Double(allocated[job]) * (end[job] - start[job])
            tierGPUSeconds[tier] += used
        }
        var tiers: [SimulationReport.TierFigures] = []
        for tier in Tier.allCases where tierJobs[tier.rank] > 0 {
            tiers.append(.init(tier: tier.rawValue, jobs: tierJobs[tier.rank], gpuHours: tierGPUSeconds[tier.rank] / 3_600,
                               queueingDelay: .init(&tierDelays[tier.rank]), completionTime: .init(&tierCompletions[tier.rank])))
        }
        let names = engine.projectNames
        let organisations = engine.projectOrganisations
        let used = names.map { engine.chargedGPUSeconds(project: $0) ?? 0 }
        let windowUsedByProject = names.map { projectWindowUsed[$0] ?? 0 }
        let demand = names.map { projectDemand[$0] ?? 0 }
        let shares = names.map { engine.entitledShare(project: $0) ?? 0 }
        // Fairness while jobs arrive (when projects compete): each project's GPU time then against its
        // weighted max-min fair part of all GPU time then, capped by what it asked for.
        let due = Self.maxMinFairShares(total: windowUsedByProject.reduce(0, +), demands: demand, weights: shares)
        var projects: [SimulationReport.ProjectFigures] = []
        var ratios: [Double] = []
        for (index, name) in names.enumerated() {
            let jobsOfProject = projectJobs[name] ?? 0
            let ratio = due[index] > 0 ? windowUsedByProject[index] / due[index] : (windowUsedByProject[index] > 0 ? 1 : 0)
            if jobsOfProject > 0, demand[index] > 0, due[index] > 0 { ratios.append(ratio) }
            projects.append(.init(project: name, organisation: organisations[index], tier: engine.tier(project: name)?.rawValue ?? "",
                                  jobs: jobsOfProject, gpuHours: used[index] / 3_600, demandGPUHours: demand[index] / 3_600,
                                  entitledShare: shares[index], gpuHoursWhileArriving: windowUsedByProject[index] / 3_600,
                                  fairGPUHoursWhileArriving: due[index] / 3_600, fairnessRatio: ratio,
                                  budgetGPUHours: engine.budgetGPUHours(project: name)))
        }
        var neverStarted: [String: Int] = [:]
        for (reason, number) in engine.pendingReasons() { neverStarted[reason.rawValue] = number }
        let seconds = Date().timeIntervalSince(clockStart)
        var outcomes: [JobOutcome] = []
        if keepOutcomes {
            outcomes = Array(repeating: JobOutcome(start: nil, end: nil, finishes: 0, preemptions: 0, gpus: 0), count: count)
            for job in 0..<count {
                let position = inputOrder?[job] ?? job
                outcomes[position] = JobOutcome(start: start[job].isNaN ? nil : start[job], end: end[job].isNaN ? nil : end[job],
                                                finishes: Int(finishCount[job]), preemptions: Int(preemptCount[job]), gpus: Int(allocated[job]))
            }
        }
        let report = SimulationReport(
            policyName: policyName, workload: workload, gpus: pool.totalGPUs, jobsSubmitted: count, jobsFinished: finished,
            jobsRefused: refused, jobsNeverStarted: neverStarted, jobsTimedOut: timedOut, makespan: makespan,
            utilisation: lastSubmit > firstSubmit ? arrivalBusyGPUSeconds / (Double(pool.totalGPUs) * (lastSubmit - firstSubmit)) : 0,
            utilisationToTheEnd: makespan > 0 ? busyGPUSeconds / (Double(pool.totalGPUs) * makespan) : 0,
            queueingDelay: .init(&delays), completionTime: .init(&completions), tiers: tiers,
            jainsFairnessIndex: SimulationReport.jainsIndex(ratios), projects: projects,
            preemptions: preemptions, preemptedGPUHoursLost: lostGPUSeconds / 3_600, gpuHoursCharged: chargedGPUSeconds / 3_600,
            samples: series,
            burn: zip(burnProjects, burnSeries).map { .init(project: $0, budgetGPUHours: engine.budgetGPUHours(project: $0) ?? 0, burned: $1) },
            simulationSeconds: seconds, jobsPerSecond: seconds > 0 ? Double(count) / seconds : 0)
        return Replay(report: report, outcomes: outcomes)
    }

    /// Weighted max-min fair division of `total` GPU-seconds: every project gets its demand or
    /// its weight's part of what remains, whichever is less, and what a project does not need goes
    /// to the others by weight (water-filling).
    public static func maxMinFairShares(total: Double, demands: [Double], weights: [Double]) -> [Double] {
        var due = Array(repeating: 0.0, count: demands.count)
        var active = demands.indices.filter { demands[$0] > 0 && weights[$0] > 0 }
        active.sort { demands[$0] / weights[$0] < demands[$1] / weights[$1] }
        var remaining = total
        var weightLeft = active.reduce(0) { $0 + weights[$1] }
        for project in active {
            let level = remaining / weightLeft
            let give = min(demands[project], level * weights[project])
            due[project] = give
            remaining -= give
            weightLeft -= weights[project]
        }
        return due
    }

    static func reasonName(_ error: any Error) -> String {
        guard let refusal = error as? SubmitRefusal else { return "\(error)" }
        switch refusal {
        case .noPartition: return "no partition of its GPU model"
        case .tooLarge: return "larger than its partition"
        case .notPositive(let field): return "\(field) not positive"
        case .duplicateID: return "duplicate id"
        case .modelNotAllowed: return "GPU model not in its allocation"
        }
    }
}
