import ArgumentParser
import Foundation
import NuriCompute

/// `nuri compute bench`: how fast the policy engine and the simulator are.
struct ComputeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the simulator (jobs/s over a large synthetic workload) and one scheduling pass over a deep queue (ms).",
        discussion: """
            1. Simulates --jobs synthetic jobs on --gpus GPUs (one core) and prints jobs/s.
            2. Fills the pool with running jobs, queues --queued more and times one backfill pass
               and one main pass over them (--repeat times, each on a freshly built state).
            Measure a release build (make release).

            Example:
              nuri compute bench --jobs 1000000 --gpus 10000 --queued 10000
            """
    )

    @Option(help: "Jobs to simulate.") var jobs = 1_000_000
    @Option(help: "GPUs in the pool (8-GPU nodes).") var gpus = 10_000
    @Option(help: "Pending jobs in the timed scheduling pass.") var queued = 10_000
    @Option(help: "Timed passes (each on a fresh state).") var `repeat` = 10
    @Option(help: "Seed of the synthetic workload.") var seed: UInt64 = 1
    @Flag(help: "Skip the simulation; time the scheduling pass only.") var passOnly = false

    func validate() throws {
        guard jobs >= 1, jobs <= 50_000_000 else { throw ValidationError("--jobs must be between 1 and 50,000,000") }
        guard gpus >= 8, gpus <= 10_000_000 else { throw ValidationError("--gpus must be between 8 and 10,000,000") }
        guard queued >= 1, queued <= 10_000_000 else { throw ValidationError("--queued must be between 1 and 10,000,000") }
        guard `repeat` >= 1, `repeat` <= 1_000 else { throw ValidationError("--repeat must be between 1 and 1,000") }
    }

    func run() throws {
        let pool = GPUPool.uniform(gpus: gpus)
        if !passOnly {
            let generated = Date()
            let workload = SyntheticWorkload(count: jobs, seed: seed, pool: pool)
            let generation = Date().timeIntervalSince(generated)
            let report = Simulator(pool: pool, policy: .default).run(workload.jobs, workload: "synthetic")
            print(String(format: "simulation: %d jobs on %d GPUs in %.2f s: %.0f jobs/s (generating them took %.2f s; utilisation %.1f %%, %d finished)",
                         jobs, pool.totalGPUs, report.simulationSeconds, report.jobsPerSecond, generation, report.utilisation * 100, report.jobsFinished))
        }
        var backfill: [Double] = [], main: [Double] = []
        var started = 0, pending = 0
        for _ in 0..<`repeat` {
            var engine = try Self.busyEngine(pool: pool, queued: queued, seed: seed)
            pending = engine.pendingCount
            var events: [SchedulingEngine.Event] = []
            events.reserveCapacity(queued)
            var clock = Date()
            engine.schedule(now: 60, pass: .backfill, into: &events)
            backfill.append(Date().timeIntervalSince(clock) * 1_000)
            started = events.count
            events.removeAll(keepingCapacity: true)
            clock = Date()
            engine.schedule(now: 61, pass: .main, into: &events)
            main.append(Date().timeIntervalSince(clock) * 1_000)
        }
        backfill.sort()
        main.sort()
        print(String(format: "scheduling pass over %d queued jobs on %d GPUs: backfill %.2f ms (median of %d; min %.2f, max %.2f; %d started), main pass %.3f ms",
                     pending, pool.totalGPUs, backfill[backfill.count / 2], backfill.count, backfill[0], backfill[backfill.count - 1], started, main[main.count / 2]))
    }

    /// A pool nearly full of running jobs with `queued` more jobs waiting, all from the synthetic workload.
    static func busyEngine(pool: GPUPool, queued: Int, seed: UInt64) throws -> SchedulingEngine {
        let workload = SyntheticWorkload(count: queued * 3, seed: seed, pool: pool)
        var engine = SchedulingEngine(pool: pool, policy: .default, now: 0)
        var events: [SchedulingEngine.Event] = []
        var next = 0
        // Fill: submit and start jobs until the pool is 95 % busy.
        while next < workload.jobs.count, engine.busyGPUs * 100 < pool.totalGPUs * 95 {
            var job = workload.jobs[next]
            job.submitTime = 0
            try engine.submit(job, now: 0)
            next += 1
            if next % 256 == 0 { engine.schedule(now: 0, pass: .main, into: &events) }
        }
        engine.schedule(now: 0, pass: .backfill, into: &events)
        // Queue: `queued` more, submitted over the last minute.
        let first = next
        while next < workload.jobs.count, next - first < queued {
            var job = workload.jobs[next]
            job.submitTime = Double(next - first) * 60 / Double(queued)
            try engine.submit(job, now: job.submitTime)
            next += 1
        }
        engine.recalculate(now: 60)
        return engine
    }
}
