import Foundation
import NuriIdentity
import NuriStore
import NuriTestSupport
import SQLKit
import Testing

/// The server authenticates through a store with a ``PrincipalCache``: what a caller relies on
/// must hold with the cache as without it.
@Suite("Authentication with the principal cache")
struct PrincipalCacheTests {
    @Test("revoking through the caching store refuses the token at once; revoking elsewhere within the cache's lifetime",
          arguments: TestBackend.available)
    func revocation(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = TestClock()
            let server = IdentityStore(database: database, now: { clock.now }, principalCache: PrincipalCache(lifetime: 5))
            let admin = IdentityStore(database: database, now: { clock.now })  // `nuri admin`, another replica
            _ = try await admin.createUser(name: "minji")
            let first = try await admin.issueToken(user: "minji", name: "a", scopes: [.inference])
            let second = try await admin.issueToken(user: "minji", name: "b", scopes: [.inference])
            for token in [first, second] { _ = try await server.authenticate(bearer: token.secret.value) }

            _ = try await server.revokeToken(first.token.id)
            await #expect(throws: IdentityError.self) { try await server.authenticate(bearer: first.secret.value) }

            _ = try await server.authenticate(bearer: second.secret.value)  // cached again (a revocation empties the cache)
            _ = try await admin.revokeToken(second.token.id)
            _ = try await server.authenticate(bearer: second.secret.value)  // still cached
            clock.advance(by: 5)
            await #expect(throws: IdentityError.unauthenticated("the token has been revoked; create a new one with `nuri admin token create`")) {
                try await server.authenticate(bearer: second.secret.value)
            }
        }
    }

    @Test("a cached token is refused once it expires, and its last use is still recorded once a minute", arguments: TestBackend.available)
    func expiryAndLastUse(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let clock = TestClock()
            let server = IdentityStore(database: database, now: { clock.now }, principalCache: PrincipalCache(lifetime: 3_600))
            _ = try await server.createUser(name: "minji")
            let issued = try await server.issueToken(user: "minji", name: "a", scopes: [.inference], lifetime: 300)
            _ = try await server.authenticate(bearer: issued.secret.value)
            #expect(try await server.token(issued.token.id).lastUsedAt == clock.now)

            clock.advance(by: 120)
            _ = try await server.authenticate(bearer: issued.secret.value)  // from the cache
            #expect(try await server.token(issued.token.id).lastUsedAt == clock.now, "written once the minute has passed")

            clock.advance(by: 200)
            do {
                _ = try await server.authenticate(bearer: issued.secret.value)
                Issue.record("an expired token must be refused, cached or not")
            } catch let error as IdentityError {
                #expect(error.description.contains("expired"), "\(error)")
            }
        }
    }

    @Test("a membership changed through the caching store applies to the next request", arguments: TestBackend.available)
    func membership(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let server = IdentityStore(database: database, principalCache: PrincipalCache())
            _ = try await server.createOrganisation(name: "seoul-city", sector: .public)
            _ = try await server.createUser(name: "minji")
            let issued = try await server.issueToken(user: "minji", name: "a", scopes: [.inference])
            #expect(try await server.authenticate(bearer: issued.secret.value).memberships.isEmpty)
            try await server.setMembership(user: "minji", organisation: "seoul-city", role: .member)
            #expect(try await server.authenticate(bearer: issued.secret.value).memberships.map(\.organisationName) == ["seoul-city"])
        }
    }
}
