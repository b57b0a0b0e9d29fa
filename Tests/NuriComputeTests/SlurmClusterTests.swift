import Foundation
import NuriCompute
import NuriStore
import NuriTestSupport
import Testing

/// The Slurm cluster `scripts/with-slurm.sh` starts (`make test` runs the tests inside one).
enum SlurmTestCluster {
    static var slurmConf: String? {
        ProcessInfo.processInfo.environment["NURI_TEST_SLURM_CONF"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var required: Bool { ProcessInfo.processInfo.environment["NURI_REQUIRE_SLURM"] == "1" }

    static var driver: SlurmDriver? {
        slurmConf.map { SlurmDriver(settings: SlurmDriver.Settings(slurmConf: $0)) }
    }
}

@Test("make test provides the Slurm cluster when it says it does")
func slurmClusterIsPresentWhenRequired() {
    if SlurmTestCluster.required {
        #expect(SlurmTestCluster.slurmConf != nil, "NURI_REQUIRE_SLURM=1 but NURI_TEST_SLURM_CONF is not set; run the tests with `make test` (scripts/with-slurm.sh)")
    }
}

/// Against a real cluster of fake 8-GPU nodes (3 by default: 24 GPUs). One test at a time, as
/// they share the GPUs; each cancels what it submitted.
@Suite("Allocations enforced by a real Slurm cluster", .serialized, .enabled(if: SlurmTestCluster.slurmConf != nil))
struct SlurmClusterTests {
    static func with(_ body: (ComputeFixture) async throws -> Void) async throws {
        try await ComputeFixture.with(.sqlite, slurm: SlurmTestCluster.driver, realClock: true, body)
    }

    /// Syncs until `condition` holds for the job (every 0.5 s, at most `seconds`).
    static func waitFor(_ job: ComputeJob, in fixture: ComputeFixture, seconds: Double = 30,
                        _ condition: (ComputeJob) -> Bool) async throws -> ComputeJob {
        let deadline = Date().addingTimeInterval(seconds)
        var current = job
        while true {
            current = try #require(try await fixture.centre.sync(jobIDs: [job.id]).jobs.first)
            if condition(current) { return current }
            if Date() > deadline {
                Issue.record("job \(job.name) (Slurm \(job.slurmJobID)) still \(current.state) (\(current.reason ?? "no reason")) after \(seconds) s")
                return current
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Cancels what a test submitted, whatever happened in it.
    static func cleanUp(_ jobs: [ComputeJob], _ fixture: ComputeFixture) async {
        for job in jobs { _ = try? await fixture.centre.cancel(job.id) }
    }

    static func sleepJob(_ name: String, gpus: Int, seconds: Int, minutes: Int = 5) -> JobRequest {
        JobRequest(name: name, gpus: gpus, timeLimitMinutes: minutes, command: "sleep \(seconds)")
    }

    @Test("an approved allocation becomes a Slurm account whose limits hold jobs with Slurm's own reasons")
    func limitsHoldJobs() async throws {
        try await Self.with { fixture in
            let (project, allocation) = try await fixture.approvedProject(gpuHours: 1_000, maxGPUs: 8)
            #expect(allocation.slurmError == nil && allocation.slurmSyncedAt != nil, "\(allocation.slurmError ?? "")")
            var submitted: [ComputeJob] = []
            do {
                let first = try await fixture.centre.submit(Self.sleepJob("first", gpus: 8, seconds: 60), project: project, actor: "usr_member")
                submitted.append(first)
                _ = try await Self.waitFor(first, in: fixture) { $0.state == "RUNNING" }
                // 8 GPUs at once are granted and in use: the next job waits for the association's GPUs.
                let second = try await fixture.centre.submit(Self.sleepJob("second", gpus: 4, seconds: 5), project: project, actor: "usr_member")
                submitted.append(second)
                let held = try await Self.waitFor(second, in: fixture) { $0.reason == "AssocGrpGRES" }
                #expect(held.state == "PENDING" && held.reason == "AssocGrpGRES")

                // A GPU-hour grant too small for the job's time limit holds it by the QOS budget.
                let (small, _) = try await fixture.approvedProject(gpuHours: 1, maxGPUs: 8)
                let big = try await fixture.centre.submit(Self.sleepJob("big", gpus: 8, seconds: 5, minutes: 10), project: small, actor: "usr_member")
                submitted.append(big)
                let budget = try await Self.waitFor(big, in: fixture) { $0.reason != nil }
                #expect(budget.state == "PENDING" && budget.reason == "QOSGrpGRESMinutes")
            } catch {
                await Self.cleanUp(submitted, fixture)
                throw error
            }
            await Self.cleanUp(submitted, fixture)
        }
    }

    @Test("a job's GPU use comes back from sacct and is charged to the allocation once, however often it is synced")
    func usageIsCharged() async throws {
        try await Self.with { fixture in
            let (project, allocation) = try await fixture.approvedProject(gpuHours: 100, maxGPUs: 8)
            let job = try await fixture.centre.submit(Self.sleepJob("short", gpus: 2, seconds: 3), project: project, actor: "usr_member")
            let done = try await Self.waitFor(job, in: fixture) { $0.isFinished }
            #expect(done.state == "COMPLETED")
            // sacct's elapsed time for a 3 s sleep is 3–5 s on a busy machine; 2 GPUs each.
            #expect((6...12).contains(done.chargedGPUSeconds), "\(done.chargedGPUSeconds)")
            let again = try await fixture.centre.sync(jobIDs: [job.id])
            #expect(again.chargedGPUSeconds == 0)
            #expect(try await fixture.jobs.job(job.id).chargedGPUSeconds == done.chargedGPUSeconds)
            let burnDown = try await fixture.allocations.burnDown(allocation.id)
            #expect(abs(burnDown.usedGPUHours - Double(done.chargedGPUSeconds) / 3_600) < 1e-9)
            #expect(burnDown.days.last?.cumulativeGPUHours == burnDown.usedGPUHours)
        }
    }

    @Test("a national team's job preempts a lower tier's, which goes back to the queue; the preempted run is charged")
    func nationalTeamPreempts() async throws {
        try await Self.with { fixture in
            let (academic, _) = try await fixture.approvedProject(.academic, gpuHours: 1_000, maxGPUs: 1_000)
            let (national, _) = try await fixture.approvedProject(.nationalTeam, gpuHours: 1_000, maxGPUs: 8)
            let nodes = try await Self.clusterGPUs()
            var submitted: [ComputeJob] = []
            do {
                let low = try await fixture.centre.submit(Self.sleepJob("fill", gpus: nodes, seconds: 300), project: academic, actor: "usr_a")
                submitted.append(low)
                _ = try await Self.waitFor(low, in: fixture) { $0.state == "RUNNING" }
                try await Task.sleep(for: .seconds(1))
                let high = try await fixture.centre.submit(Self.sleepJob("urgent", gpus: 8, seconds: 3), project: national, actor: "usr_n")
                submitted.append(high)
                let ran = try await Self.waitFor(high, in: fixture) { $0.startedAt != nil }
                #expect(ran.state == "RUNNING" || ran.state == "COMPLETED", "\(ran.state) \(ran.reason ?? "")")
                let requeued = try await Self.waitFor(low, in: fixture) { $0.preemptions >= 1 }
                #expect(requeued.state == "PENDING" && requeued.preemptions == 1)
                #expect(requeued.chargedGPUSeconds >= nodes, "the preempted run used \(nodes) GPUs for at least a second")
            } catch {
                await Self.cleanUp(submitted, fixture)
                throw error
            }
            await Self.cleanUp(submitted, fixture)
        }
    }

    @Test("revoking an allocation blocks the account: Nuri refuses new jobs, and so does Slurm itself")
    func revocationBlocks() async throws {
        try await Self.with { fixture in
            let (project, allocation) = try await fixture.approvedProject(gpuHours: 100, maxGPUs: 8)
            let revoked = try await fixture.centre.revoke(allocation.id, reason: "project closed", actor: "usr_operator")
            #expect(revoked.status == .revoked && revoked.slurmError == nil)
            await #expect(throws: ComputeError.noActiveAllocation(project: project.name)) {
                _ = try await fixture.centre.submit(Self.sleepJob("after", gpus: 1, seconds: 1), project: project, actor: "usr_member")
            }
            // Past Nuri's own check, straight to sbatch: Slurm refuses by the association's limit.
            let driver = try #require(fixture.centre.slurm)
            let error = await #expect(throws: SlurmError.self) {
                _ = try await driver.submit(Self.sleepJob("direct", gpus: 1, seconds: 1), project: project, allocation: revoked)
            }
            guard case .refused(_, let message) = error else { Issue.record("\(String(describing: error))"); return }
            #expect(message.contains("AssocGrpSubmitJobsLimit"), "\(message)")
        }
    }

    /// All the GPUs of the test cluster (nodes × 8), as sinfo reports them.
    static func clusterGPUs() async throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sinfo", "-h", "-N", "-o", "%N"]
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = SlurmTestCluster.slurmConf
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Set(text.split(separator: "\n")).count * 8
    }
}
