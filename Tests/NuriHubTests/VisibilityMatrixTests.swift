import NuriHub
import NuriIdentity
import NuriStore
import NuriTestSupport
import Testing

/// Every visibility × every kind of caller × (list, info, download, upload), against the real
/// store: the expected table is written out here by hand, from the rules in the issue, not
/// computed by the code under test.
@Suite("Who may see what: the whole visibility matrix, on SQLite and PostgreSQL")
struct VisibilityMatrixTests {
    /// What a caller may do: L list, I info, D download, U upload. A missing letter must fail,
    /// and for L/I it must fail as "not found" (the repository's existence must not leak).
    static let expected: [Visibility: [String: String]] = [
        .public: ["anonymous": "LID", "public-user": "LID", "private-user": "LID", "academic-user": "LID", "startup-user": "LID",
                  "owner-member": "LIDU", "owner-admin": "LIDU", "operator": "LIDU"],
        .registered: ["anonymous": "", "public-user": "LID", "private-user": "LID", "academic-user": "LID", "startup-user": "LID",
                      "owner-member": "LIDU", "owner-admin": "LIDU", "operator": "LIDU"],
        // sectors: public and academic
        .sectors: ["anonymous": "", "public-user": "LID", "private-user": "", "academic-user": "LID", "startup-user": "",
                   "owner-member": "LIDU", "owner-admin": "LIDU", "operator": "LIDU"],
        .gated: ["anonymous": "LI", "public-user": "LI", "private-user": "LI", "academic-user": "LI", "startup-user": "LI",
                 "owner-member": "LIDU", "owner-admin": "LIDU", "operator": "LIDU"],
        .private: ["anonymous": "", "public-user": "", "private-user": "", "academic-user": "", "startup-user": "",
                   "owner-member": "LIDU", "owner-admin": "LIDU", "operator": "LIDU"],
    ]

    @Test("list, info, download and upload for every visibility and caller", arguments: TestBackend.available)
    func matrix(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            var failures: [String] = []
            for visibility in Visibility.allCases {
                let sectors: [Sector] = visibility == .sectors ? [.public, .academic] : []
                let repository = try await hub.repository("m-\(visibility.rawValue)", visibility: visibility, sectors: sectors)
                let id = repository.repositoryID
                for (name, allowed) in Self.expected[visibility]! {
                    let caller = hub[name]
                    let listed = try await hub.store.list(HubStore.ListQuery(search: id.name), caller: caller).contains { $0.0.id == repository.id }
                    var info = true, infoHidden = false
                    do { _ = try await hub.store.access(id, kind: .model, caller: caller) } catch HubError.repositoryNotFound { info = false; infoHidden = true }
                    var download = true, downloadError: HubError?
                    do {
                        let readable = try await hub.store.require(.read, on: id, kind: .model, caller: caller)
                        let commit = try await hub.store.resolve("main", in: readable)
                        _ = try await hub.store.entry(try RepositoryPath("model.bin"), in: commit)
                    } catch let error as HubError { download = false; downloadError = error }
                    var upload = true
                    do { _ = try await hub.store.require(.write, on: id, kind: .model, caller: caller) } catch is HubError { upload = false }

                    let got = (listed ? "L" : "") + (info ? "I" : "") + (download ? "D" : "") + (upload ? "U" : "")
                    if got != allowed { failures.append("\(visibility) × \(name): expected '\(allowed)', got '\(got)'") }
                    if !allowed.contains("I") && !infoHidden { failures.append("\(visibility) × \(name): info must be 'not found'") }
                    if !allowed.contains("D") {
                        // Who may see the card gets "gated"; who may not gets "not found", never "forbidden".
                        let wanted: HubError = allowed.contains("I") ? .gated(id.description) : .repositoryNotFound(id.description)
                        if downloadError != wanted { failures.append("\(visibility) × \(name): download error \(String(describing: downloadError)), expected \(wanted)") }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    @Test("grants widen exactly what they should: an approved user, an invited organisation", arguments: TestBackend.available)
    func grants(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let gated = try await hub.repository("gated", visibility: .gated)
            let academic = hub["academic-user"], startup = hub["startup-user"]
            let pending = try await hub.store.requestAccess(to: gated.repositoryID, kind: .model, reason: "evaluation", caller: academic)
            #expect(pending.status == .pending)
            await #expect(throws: HubError.gated(gated.repositoryID.description)) {
                try await hub.store.require(.read, on: gated.repositoryID, kind: .model, caller: academic)
            }
            // Only admins of the owner decide; a member cannot.
            await #expect(throws: HubError.self) {
                try await hub.store.decideAccess(to: gated.repositoryID, kind: .model, user: "academic-user", status: .accepted, note: nil, caller: hub["owner-member"])
            }
            let decided = try await hub.store.decideAccess(to: gated.repositoryID, kind: .model, user: "academic-user", status: .accepted,
                                                           note: "ok", caller: hub["owner-admin"])
            #expect(decided.status == .accepted && decided.decidedBy == "owner-admin" && decided.decidedAt != nil)
            _ = try await hub.store.require(.read, on: gated.repositoryID, kind: .model, caller: academic)
            await #expect(throws: HubError.gated(gated.repositoryID.description)) {
                try await hub.store.require(.read, on: gated.repositoryID, kind: .model, caller: startup)
            }
            // A grant never gives write access.
            await #expect(throws: HubError.self) { try await hub.store.require(.write, on: gated.repositoryID, kind: .model, caller: academic) }
            // Denying afterwards takes it away again, and the decision is recorded.
            _ = try await hub.store.decideAccess(to: gated.repositoryID, kind: .model, user: "academic-user", status: .rejected, note: "no", caller: hub["owner-admin"])
            await #expect(throws: HubError.gated(gated.repositoryID.description)) {
                try await hub.store.require(.read, on: gated.repositoryID, kind: .model, caller: academic)
            }
            #expect(try await hub.store.accessRequests(gated, status: .rejected).map(\.userName) == ["academic-user"])

            let secret = try await hub.repository("secret", visibility: .private)
            try await hub.store.invite(organisation: "kaist", to: secret.repositoryID, kind: .model, caller: hub["owner-admin"])
            _ = try await hub.store.require(.read, on: secret.repositoryID, kind: .model, caller: academic)
            await #expect(throws: HubError.repositoryNotFound(secret.repositoryID.description)) {
                try await hub.store.require(.read, on: secret.repositoryID, kind: .model, caller: startup)
            }
            try await hub.store.revokeInvitation(organisation: "kaist", from: secret.repositoryID, kind: .model, caller: hub["owner-admin"])
            await #expect(throws: HubError.repositoryNotFound(secret.repositoryID.description)) {
                try await hub.store.require(.read, on: secret.repositoryID, kind: .model, caller: academic)
            }
        }
    }

    @Test("a read-only token reads but never writes, even for the owner's admin", arguments: TestBackend.available)
    func readOnlyToken(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let repository = try await hub.repository("ro", visibility: .private)
            let reader = try await hub.caller("owner-admin", scopes: [.read])
            _ = try await hub.store.require(.read, on: repository.repositoryID, kind: .model, caller: reader)
            await #expect(throws: HubError.self) { try await hub.store.require(.write, on: repository.repositoryID, kind: .model, caller: reader) }
            // An inference-only key reads only what anonymous callers can.
            let inference = try await hub.caller("owner-admin", scopes: [.inference])
            await #expect(throws: HubError.repositoryNotFound(repository.repositoryID.description)) {
                try await hub.store.require(.read, on: repository.repositoryID, kind: .model, caller: inference)
            }
        }
    }
}
