import Foundation
import NuriGuard
import NuriIdentity
import NuriStore
import NuriTestSupport
import SQLKit
import Testing

@Suite("The audit chain: hash-linked, signed, and verify names the first bad record")
struct AuditChainTests {
    func fill(_ fixture: GuardFixture, count: Int) async throws {
        for index in 1...count {
            try await fixture.audit.append(AuditEntry(actor: "usr_\(index)", organisationID: fixture.organisation.id, action: "test.action",
                                                      target: "target-\(index)", decision: "allow", reason: "in_house", entities: ["PHONE": index]))
        }
    }

    @Test("an untouched chain verifies, with checkpoints every interval", arguments: TestBackend.available)
    func intact(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 4) { fixture in
            try await fill(fixture, count: 10)
            let result = try await fixture.audit.verify()
            #expect(result.isIntact, "\(String(describing: result.problem))")
            #expect(result.records == 10 && result.firstSeq == 1 && result.lastSeq == 10)
            #expect(result.checkpoints == 2 && result.lastCheckpoint == 8)
            let checkpoint = try #require(try await fixture.audit.checkpoint())
            #expect(checkpoint.seq == 10)
            #expect(try await fixture.audit.verify().checkpoints == 3)
        }
    }

    @Test("an altered record is named", arguments: TestBackend.available)
    func altered(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 4) { fixture in
            try await fill(fixture, count: 10)
            try await fixture.database.read { db in try await db.raw("UPDATE audit_records SET decision = 'block' WHERE seq = 6").run() }
            let problem = try #require(try await fixture.audit.verify().problem)
            #expect(problem.seq == 6 && problem.kind == .altered, "\(problem)")
        }
    }

    @Test("a removed record is named, also at the tail past a checkpoint", arguments: TestBackend.available)
    func removed(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 4) { fixture in
            try await fill(fixture, count: 10)
            try await fixture.database.read { db in try await db.raw("DELETE FROM audit_records WHERE seq = 3").run() }
            let problem = try #require(try await fixture.audit.verify().problem)
            #expect(problem.seq == 3 && problem.kind == .removed, "\(problem)")
        }
        try await GuardFixture.with(backend, checkpointInterval: 4) { fixture in
            try await fill(fixture, count: 10)
            try await fixture.database.read { db in try await db.raw("DELETE FROM audit_records WHERE seq >= 7").run() }
            let problem = try #require(try await fixture.audit.verify().problem)
            #expect(problem.seq == 7 && problem.kind == .removed, "\(problem)")
        }
    }

    @Test("reordered records are caught at the first one moved", arguments: TestBackend.available)
    func reordered(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend) { fixture in
            try await fill(fixture, count: 6)
            try await fixture.database.read { db in
                try await db.raw("UPDATE audit_records SET seq = -1 WHERE seq = 4").run()
                try await db.raw("UPDATE audit_records SET seq = 4 WHERE seq = 5").run()
                try await db.raw("UPDATE audit_records SET seq = 5 WHERE seq = -1").run()
            }
            let problem = try #require(try await fixture.audit.verify().problem)
            #expect(problem.seq == 4, "\(problem)")
        }
    }

    @Test("a checkpoint signed by another key is refused", arguments: [TestBackend.sqlite])
    func forgedCheckpoint(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 2) { fixture in
            try await fill(fixture, count: 4)
            let forger = AuditLog(database: fixture.database, keys: .generate())
            #expect(try await forger.verify().problem?.kind == .badCheckpoint)
            #expect(try await fixture.audit.verify(trustedPublicKey: forger.publicKey).problem?.kind == .badCheckpoint)
            #expect(try await fixture.audit.verify(trustedPublicKey: fixture.audit.publicKey).isIntact)
        }
    }

    @Test("concurrent appends keep the chain gapless", arguments: TestBackend.available)
    func concurrent(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 7) { fixture in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await fixture.audit.append(AuditEntry(actor: "usr_\(index)", organisationID: nil, action: "test.concurrent",
                                                                  target: "t", decision: "allow", reason: "r"))
                    }
                }
                try await group.waitForAll()
            }
            let result = try await fixture.audit.verify()
            #expect(result.isIntact && result.records == 24 && result.lastSeq == 24, "\(result)")
        }
    }

    @Test("pruning keeps at least two years, cuts at a checkpoint, and the rest still verifies", arguments: [TestBackend.sqlite])
    func prune(_ backend: TestBackend) async throws {
        try await GuardFixture.with(backend, checkpointInterval: 3) { fixture in
            await #expect(throws: GuardError.self) { try await fixture.audit.prune(retentionDays: 365) }
            try await fill(fixture, count: 7)     // checkpoints at 3 and 6
            fixture.clock.advance(days: 800)
            try await fill(fixture, count: 2)     // records 8, 9: recent
            let removed = try await fixture.audit.prune(retentionDays: 730)
            #expect(removed == 6)
            let result = try await fixture.audit.verify()
            #expect(result.isIntact && result.firstSeq == 7 && result.lastSeq == 9, "\(result)")
        }
    }

    @Test("keys are created once, owner-only, and read back the same")
    func keyFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nuri-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try AuditKeys.loadOrCreate(directory: directory)
        let second = try AuditKeys.loadOrCreate(directory: directory)
        #expect(first.publicKey == second.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("audit-hash.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("audit-hash.key"))
        #expect(throws: GuardError.self) { try AuditKeys.loadOrCreate(directory: directory) }
    }
}
