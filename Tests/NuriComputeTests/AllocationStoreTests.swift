import Foundation
import NuriCompute
import NuriIdentity
import NuriStore
import NuriTestSupport
import Testing

@Suite("Allocations: requests, decisions, transitions, expiry")
struct AllocationStoreTests {
    static let request = AllocationRequest(gpuHours: 1_000, maxConcurrentGPUs: 16, gpuModel: "h100", justification: "Korean LLM pretraining",
                                           periodDays: 30)

    @Test("a request is approved, changed, renewed and revoked; every decision says who, when, what changed and why",
          arguments: TestBackend.available)
    func lifecycle(_ backend: TestBackend) async throws {
        try await ComputeFixture.with(backend) { fixture in
            let project = try await fixture.project(.nationalTeam)
            let requested = try await fixture.allocations.request(Self.request, projectID: project.id, actor: "usr_member")
            #expect(requested.status == .new && requested.periodStart == nil)

            fixture.clock.advance(seconds: 60)
            let approved = try await fixture.centre.approve(requested.id, change: AllocationChange(gpuHours: 800), reason: "trimmed to fit",
                                                            actor: "usr_operator")
            #expect(approved.status == .active && approved.gpuHours == 800)
            #expect(approved.periodStart == fixture.clock.now && approved.periodEnd == fixture.clock.now + 30 * 86_400)

            let changed = try await fixture.centre.change(requested.id, AllocationChange(maxConcurrentGPUs: 32), reason: "second phase",
                                                          actor: "usr_operator")
            #expect(changed.maxConcurrentGPUs == 32 && changed.status == .active)

            let renewal = try await fixture.allocations.requestRenewal(requested.id, gpuHours: 2_000, periodDays: 60,
                                                                       justification: "fine-tuning", actor: "usr_member")
            #expect(renewal.status == .renewalRequested && renewal.renewalGPUHours == 2_000)
            fixture.clock.advance(days: 10)
            let renewed = try await fixture.centre.approve(requested.id, reason: "renewed", actor: "usr_operator")
            #expect(renewed.status == .active && renewed.gpuHours == 2_000 && renewed.periodDays == 60)
            #expect(renewed.periodStart == fixture.clock.now && renewed.renewalGPUHours == nil)

            let revoked = try await fixture.centre.revoke(requested.id, reason: "misuse reported", actor: "usr_operator")
            #expect(revoked.status == .revoked)

            let decisions = try await fixture.allocations.decisions(requested.id)
            #expect(decisions.map(\.action) == [.request, .approve, .change, .requestRenewal, .approve, .revoke])
            #expect(decisions.map(\.toStatus) == [.new, .active, .active, .renewalRequested, .active, .revoked])
            #expect(decisions.map(\.actor) == ["usr_member", "usr_operator", "usr_operator", "usr_member", "usr_operator", "usr_operator"])
            #expect(decisions[1].reason == "trimmed to fit")
            #expect(decisions[1].changes.contains(.init(field: "gpu_hours", from: "1000", to: "800")))
            #expect(decisions[1].changes.contains(.init(field: "status", from: "new", to: "active")))
            #expect(decisions[2].changes == [.init(field: "max_concurrent_gpus", from: "16", to: "32")])
            #expect(decisions[4].changes.contains(.init(field: "gpu_hours", from: "800", to: "2000")))
            #expect(decisions[5].reason == "misuse reported" && decisions[5].createdAt == fixture.clock.now)
        }
    }

    @Test("an action not allowed from the status is a conflict that names the allowed ones, and changes nothing",
          arguments: TestBackend.available)
    func invalidTransitions(_ backend: TestBackend) async throws {
        try await ComputeFixture.with(backend) { fixture in
            let project = try await fixture.project()
            let allocation = try await fixture.allocations.request(Self.request, projectID: project.id, actor: "usr_member")
            await #expect(throws: ComputeError.invalidTransition(allocation: allocation.id, from: .new, action: .revoke)) {
                _ = try await fixture.centre.revoke(allocation.id, reason: "x", actor: "usr_operator")
            }
            await #expect(throws: ComputeError.self) {
                _ = try await fixture.allocations.requestRenewal(allocation.id, gpuHours: nil, periodDays: nil, justification: "more", actor: "u")
            }
            _ = try await fixture.centre.deny(allocation.id, reason: "out of scope", actor: "usr_operator")
            let error = await #expect(throws: ComputeError.self) {
                _ = try await fixture.centre.approve(allocation.id, reason: "", actor: "usr_operator")
            }
            #expect(error?.description.contains("denied is final") == true, "\(String(describing: error))")
            let after = try await fixture.allocations.allocation(allocation.id)
            #expect(after.status == .denied)
            #expect(try await fixture.allocations.decisions(allocation.id).map(\.action) == [.request, .deny])
        }
    }

    @Test("bad input names the field and writes nothing; a project holds one open allocation", arguments: TestBackend.available)
    func validation(_ backend: TestBackend) async throws {
        try await ComputeFixture.with(backend) { fixture in
            let project = try await fixture.project()
            for (request, param) in [
                (AllocationRequest(gpuHours: 0, maxConcurrentGPUs: 8, justification: "x"), "gpu_hours"),
                (AllocationRequest(gpuHours: 10, maxConcurrentGPUs: 0, justification: "x"), "max_concurrent_gpus"),
                (AllocationRequest(gpuHours: 10, maxConcurrentGPUs: 8, gpuModel: "H100; rm", justification: "x"), "gpu_model"),
                (AllocationRequest(gpuHours: 10, maxConcurrentGPUs: 8, justification: "  "), "justification"),
                (AllocationRequest(gpuHours: 10, maxConcurrentGPUs: 8, justification: "x", periodDays: 5_000), "period_days"),
            ] {
                let error = await #expect(throws: ComputeError.self) {
                    _ = try await fixture.allocations.request(request, projectID: project.id, actor: "u")
                }
                guard case .invalidInput(let found, _) = error else { Issue.record("\(String(describing: error))"); continue }
                #expect(found == param)
            }
            #expect(try await fixture.allocations.allocations().isEmpty)

            for name in ["Upper", "x", "root", "org-x", "a b", "--account=root", String(repeating: "a", count: 41)] {
                await #expect(throws: ComputeError.self, "\(name)") {
                    _ = try await fixture.allocations.createProject(name: name, tier: .academic, description: "", organisationID: fixture.organisation.id, actor: "u")
                }
            }
            await #expect(throws: ComputeError.self) {
                _ = try await fixture.allocations.createProject(name: project.name, tier: .academic, description: "", organisationID: fixture.organisation.id, actor: "u")
            }

            let first = try await fixture.allocations.request(Self.request, projectID: project.id, actor: "u")
            let error = await #expect(throws: ComputeError.self) {
                _ = try await fixture.allocations.request(Self.request, projectID: project.id, actor: "u")
            }
            #expect(error?.description.contains(first.id) == true)
            await #expect(throws: ComputeError.self) {
                _ = try await fixture.centre.deny(first.id, reason: " ", actor: "usr_operator")
            }
            #expect(try await fixture.allocations.allocation(first.id).status == .new)
        }
    }

    @Test("an allocation expires at its period's end, and an expired one can ask for renewal", arguments: TestBackend.available)
    func expiry(_ backend: TestBackend) async throws {
        try await ComputeFixture.with(backend) { fixture in
            let (_, allocation) = try await fixture.approvedProject()
            fixture.clock.advance(days: 89)
            #expect(try await fixture.centre.expireDue().isEmpty)
            fixture.clock.advance(days: 2)
            #expect(try await fixture.centre.expireDue().map(\.id) == [allocation.id])
            #expect(try await fixture.allocations.allocation(allocation.id).status == .expired)
            let last = try #require(try await fixture.allocations.decisions(allocation.id).last)
            #expect(last.action == .expire && last.actor == "system" && last.reason == "the period ended")
            let renewal = try await fixture.allocations.requestRenewal(allocation.id, gpuHours: nil, periodDays: 30, justification: "continue", actor: "u")
            #expect(renewal.status == .renewalRequested)
        }
    }

    @Test("usage is charged once however often Slurm's report is taken; the burn-down shows it by day", arguments: TestBackend.available)
    func chargingAndBurnDown(_ backend: TestBackend) async throws {
        try await ComputeFixture.with(backend) { fixture in
            let (project, allocation) = try await fixture.approvedProject(gpuHours: 10)
            let job = try await fixture.jobs.record(JobRequest(name: "train", gpus: 8, timeLimitMinutes: 60, command: "sleep 1"),
                                                    project: project, allocationID: allocation.id, slurmJobID: "42", actor: "u")
            fixture.clock.advance(seconds: 3_600)
            let running = SlurmJobReport(state: "RUNNING", reason: nil, gpuSeconds: 8 * 1_800, preemptions: 0, startedAt: 1, endedAt: nil)
            #expect(try await fixture.jobs.apply(running, to: job.id).charged == 14_400)
            #expect(try await fixture.jobs.apply(running, to: job.id).charged == 0)
            fixture.clock.advance(days: 1)
            let done = SlurmJobReport(state: "COMPLETED", reason: nil, gpuSeconds: 8 * 2_700, preemptions: 1, startedAt: 1, endedAt: 2)
            #expect(try await fixture.jobs.apply(done, to: job.id).charged == 7_200)
            #expect(try await fixture.jobs.apply(done, to: job.id).charged == 0)
            // A report that lags behind (older accounting) takes nothing back.
            #expect(try await fixture.jobs.apply(running, to: job.id).charged == 0)

            let updated = try await fixture.allocations.allocation(allocation.id)
            #expect(updated.usedGPUHours == 6 && updated.remainingGPUHours == 4)
            let burnDown = try await fixture.allocations.burnDown(allocation.id)
            #expect(burnDown.grantedGPUHours == 10 && burnDown.usedGPUHours == 6 && burnDown.remainingGPUHours == 4)
            #expect(burnDown.days.count == 2)
            #expect(burnDown.days.map(\.usedGPUHours) == [4, 2])
            #expect(burnDown.days.map(\.remainingGPUHours) == [6, 4])
            #expect(try await fixture.jobs.unfinished().isEmpty)
        }
    }
}
