import Foundation
import NuriCompute
import NuriIdentity
import NuriStore
import NuriTestSupport

/// A database with one organisation, the centre's stores over it and a clock the test moves;
/// with the Slurm driver when a test cluster runs.
struct ComputeFixture {
    let database: Database
    let organisation: Organisation
    let identity: IdentityStore
    let centre: ComputeCentre
    let clock: Clock

    var allocations: AllocationStore { centre.allocations }
    var jobs: JobStore { centre.jobs }

    /// A clock tests can move (Unix seconds).
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int
        init(_ value: Int) { self.value = value }
        var now: Int { lock.withLock { value } }
        func advance(seconds: Int) { lock.withLock { value += seconds } }
        func advance(days: Int) { advance(seconds: days * 86_400) }
    }

    static func with(_ backend: TestBackend, slurm: SlurmDriver? = nil, realClock: Bool = false,
                     _ body: (ComputeFixture) async throws -> Void) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            let organisation = try await identity.createOrganisation(name: "kaist-" + randomSuffix(), sector: .academic)
            let clock = Clock(1_780_000_000)
            let centre: ComputeCentre
            if realClock {
                centre = ComputeCentre(database: database, slurm: slurm)
            } else {
                centre = ComputeCentre(database: database, slurm: slurm, now: { clock.now })
            }
            let fixture = ComputeFixture(database: database, organisation: organisation, identity: identity, centre: centre, clock: clock)
            try await body(fixture)
        }
    }

    /// A project of the fixture's organisation, with a name no other test uses (the Slurm
    /// cluster is shared by the whole run).
    func project(_ tier: Tier = .academic, prefix: String = "p") async throws -> Project {
        try await allocations.createProject(name: prefix + "-" + randomSuffix(), tier: tier, description: "test project",
                                            organisationID: organisation.id, actor: "usr_test")
    }

    /// A project with an approved allocation.
    func approvedProject(_ tier: Tier = .academic, gpuHours: Double = 1_000, maxGPUs: Int = 8, model: String? = "h100") async throws -> (Project, Allocation) {
        let project = try await project(tier)
        let requested = try await allocations.request(
            AllocationRequest(gpuHours: gpuHours, maxConcurrentGPUs: maxGPUs, gpuModel: model, justification: "pretraining"),
            projectID: project.id, actor: "usr_member")
        let approved = try await centre.approve(requested.id, reason: "fits the programme", actor: "usr_operator")
        return (project, approved)
    }
}

func randomSuffix() -> String {
    String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
}
