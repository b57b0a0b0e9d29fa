import Foundation
import NuriHub
import NuriIdentity
import NuriStore
import NuriTestSupport

/// Organisations of every sector, each with an admin and a member, plus an operator; a caller for
/// each, made through the real identity store and real tokens.
struct HubFixture {
    let store: HubStore
    let identity: IdentityStore
    /// The organisation that owns the repositories under test (sector `public`).
    let owner = "seoul-city"

    static let sectorOrganisations: [Sector: String] = [.public: "busan-city", .private: "hanul-corp", .academic: "kaist", .startup: "startup-a"]

    var callers: [String: HubCaller] = [:]

    init(database: Database, directory: String) async throws {
        store = HubStore(database: database, dataDirectory: directory)
        identity = IdentityStore(database: database)
        let (_, operatorToken) = try await identity.initialise()
        callers["operator"] = HubCaller(principal: try await identity.authenticate(bearer: operatorToken.secret.value))
        callers["anonymous"] = .anonymous
        _ = try await identity.createOrganisation(name: owner, sector: .public)
        for (role, name) in [(Role.admin, "owner-admin"), (.member, "owner-member")] {
            _ = try await identity.createUser(name: name, organisation: owner, role: role)
            callers[name] = try await caller(name)
        }
        for (sector, organisation) in Self.sectorOrganisations {
            _ = try await identity.createOrganisation(name: organisation, sector: sector)
            let name = "\(sector.rawValue)-user"
            _ = try await identity.createUser(name: name, organisation: organisation, role: .admin)
            callers[name] = try await caller(name)
        }
    }

    func caller(_ user: String, scopes: Set<Scope> = [.read, .write]) async throws -> HubCaller {
        let issued = try await identity.issueToken(user: user, name: "test", scopes: scopes)
        return HubCaller(principal: try await identity.authenticate(bearer: issued.secret.value))
    }

    subscript(_ name: String) -> HubCaller { callers[name]! }

    /// Creates `seoul-city/NAME` with a file, as the owner's admin.
    func repository(_ name: String, visibility: Visibility, sectors: [Sector] = [], file: [UInt8] = Array("weights".utf8)) async throws -> Repository {
        let id = try RepositoryID(owner: owner, name: name)
        let repository = try await store.createRepository(id, kind: .model, visibility: visibility, sectors: sectors, caller: self["owner-admin"])
        let path = try RepositoryPath("model.bin")
        let blob = try store.blobs.store(file)
        _ = try await store.commit(CommitRequest(title: "add", operations: [.addRegular(path: path, blob: blob, gitOID: GitObjectID.blob(file))]),
                                   to: "main", in: repository, author: "owner-admin")
        return repository
    }
}
