import Foundation
import NuriIdentity
import NuriStore
import NuriTestSupport
import SQLKit
import Testing

/// A clock the test moves by hand, to check expiry and last-used times.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Int

    init(_ seconds: Int = 1_800_000_000) {
        self.seconds = seconds
    }

    var now: Int { lock.withLock { seconds } }

    func advance(by delta: Int) {
        lock.withLock { seconds += delta }
    }
}

@Suite("Identity in the database, on SQLite and PostgreSQL")
struct IdentityStoreTests {
    @Test("a token authenticates its user, with the memberships and scopes it was given", arguments: TestBackend.available)
    func tokenAuthenticates(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            _ = try await identity.createOrganisation(name: "seoul-city", sector: .public)
            _ = try await identity.createUser(name: "minji", organisation: "seoul-city", role: .admin)
            let issued = try await identity.issueToken(user: "minji", name: "laptop", scopes: [.read, .inference])
            let principal = try await identity.authenticate(bearer: issued.secret.value)
            #expect(principal.user.name == "minji")
            #expect(principal.token.scopes == [.read, .inference])
            #expect(principal.memberships.map(\.organisationName) == ["seoul-city"])
            #expect(principal.memberships.first?.role == .admin)
            #expect(principal.memberships.first?.sector == .public)
            #expect(!principal.isOperator)
        }
    }

    @Test("only a hash and a short prefix of the secret are stored", arguments: TestBackend.available)
    func secretIsNotStored(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            _ = try await identity.createUser(name: "minji")
            let issued = try await identity.issueToken(user: "minji", name: "t", scopes: [.read])
            let row = try await database.read { db in
                try await db.raw("SELECT prefix, secret_hash FROM api_tokens WHERE id = \(bind: issued.token.id)").first()
            }
            let stored = try #require(row)
            let hash = try stored.decode(column: "secret_hash", as: String.self)
            #expect(hash == issued.secret.hash)
            #expect(hash.count == 64)
            #expect(!hash.contains(issued.secret.value))
            #expect(try stored.decode(column: "prefix", as: String.self) == String(issued.secret.value.prefix(TokenSecret.prefixLength)))
        }
    }

    @Test("unknown, altered, expired and revoked tokens are refused, each with its reason", arguments: TestBackend.available)
    func badTokensAreRefused(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = TestClock()
            let identity = IdentityStore(database: database, now: { clock.now })
            _ = try await identity.createUser(name: "minji")
            let issued = try await identity.issueToken(user: "minji", name: "t", scopes: [.read], lifetime: 3_600)

            // Same prefix, different tail: found by prefix, refused by the hash.
            var altered = Array(issued.secret.value)
            altered[altered.count - 1] = altered.last == "a" ? "b" : "a"
            await expectUnauthenticated(containing: "not valid") { try await identity.authenticate(bearer: String(altered)) }
            await expectUnauthenticated(containing: "not a Nuri token") { try await identity.authenticate(bearer: "sk-openai-style") }
            await expectUnauthenticated(containing: "not valid") { try await identity.authenticate(bearer: TokenSecret.generate().value) }

            _ = try await identity.authenticate(bearer: issued.secret.value)
            clock.advance(by: 3_600)
            await expectUnauthenticated(containing: "expired") { try await identity.authenticate(bearer: issued.secret.value) }

            let other = try await identity.issueToken(user: "minji", name: "u", scopes: [.read])
            _ = try await identity.revokeToken(other.token.id)
            await expectUnauthenticated(containing: "revoked") { try await identity.authenticate(bearer: other.secret.value) }
        }
    }

    @Test("using a token records when it was last used", arguments: TestBackend.available)
    func lastUsedIsRecorded(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = TestClock()
            let identity = IdentityStore(database: database, now: { clock.now })
            _ = try await identity.createUser(name: "minji")
            let issued = try await identity.issueToken(user: "minji", name: "t", scopes: [.read])
            #expect(try await identity.token(issued.token.id).lastUsedAt == nil)
            _ = try await identity.authenticate(bearer: issued.secret.value)
            #expect(try await identity.token(issued.token.id).lastUsedAt == clock.now)
            clock.advance(by: 3_600)
            _ = try await identity.authenticate(bearer: issued.secret.value)
            #expect(try await identity.token(issued.token.id).lastUsedAt == clock.now)
        }
    }

    @Test("organisation and user names share one namespace, case-insensitively", arguments: TestBackend.available)
    func namesAreUnique(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            _ = try await identity.createOrganisation(name: "kaist", sector: .academic)
            await #expect(throws: IdentityError.alreadyExists(kind: "organisation", name: "kaist")) {
                try await identity.createOrganisation(name: "kaist", sector: .academic)
            }
            await #expect(throws: IdentityError.alreadyExists(kind: "user", name: "KAIST")) {
                try await identity.createUser(name: "KAIST")
            }
            #expect(try await identity.organisations().map(\.name) == ["kaist"])
            #expect(try await identity.users().isEmpty)
        }
    }

    @Test("a user created into a missing organisation is not created at all", arguments: TestBackend.available)
    func userCreationIsAtomic(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            await #expect(throws: IdentityError.notFound(kind: "organisation", name: "nowhere")) {
                try await identity.createUser(name: "minji", organisation: "nowhere")
            }
            let users = try await identity.users()
            #expect(users.isEmpty)
        }
    }

    @Test("a token scoped to an organisation sees only that organisation", arguments: TestBackend.available)
    func organisationScopedToken(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            _ = try await identity.createOrganisation(name: "seoul-city", sector: .public)
            _ = try await identity.createOrganisation(name: "naver", sector: .private)
            _ = try await identity.createUser(name: "minji", organisation: "seoul-city", role: .owner)
            try await identity.setMembership(user: "minji", organisation: "naver", role: .member)
            let scoped = try await identity.issueToken(user: "minji", organisation: "naver", name: "t", scopes: [.read])
            let principal = try await identity.authenticate(bearer: scoped.secret.value)
            #expect(principal.memberships.map(\.organisationName) == ["naver"])
            await #expect(throws: IdentityError.self) {
                try await identity.issueToken(user: "minji", organisation: "nowhere", name: "t", scopes: [.read])
            }
            _ = try await identity.createOrganisation(name: "kaist", sector: .academic)
            await #expect(throws: IdentityError.self) {
                try await identity.issueToken(user: "minji", organisation: "kaist", name: "t", scopes: [.read])
            }
        }
    }

    @Test("initialising twice does not mint a second operator", arguments: TestBackend.available)
    func initialiseOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let identity = IdentityStore(database: database)
            let (user, issued) = try await identity.initialise()
            #expect(user.isOperator)
            #expect(Set(issued.token.scopes) == Set(Scope.allCases))
            #expect(try await identity.authenticate(bearer: issued.secret.value).isOperator)
            await #expect(throws: IdentityError.alreadyExists(kind: "operator", name: "operator")) {
                try await identity.initialise()
            }
            #expect(try await identity.users().count == 1)
        }
    }

    private func expectUnauthenticated(containing text: String, _ body: () async throws -> Principal) async {
        do {
            _ = try await body()
            Issue.record("expected the token to be refused")
        } catch IdentityError.unauthenticated(let message) {
            #expect(message.contains(text), "message: \(message)")
        } catch {
            Issue.record("expected unauthenticated, got \(error)")
        }
    }
}
