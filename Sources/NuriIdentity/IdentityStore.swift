import Foundation
import NuriStore
import SQLKit

/// Organisations, users, memberships and tokens in the database.
///
/// Every change runs in one transaction: a user created with a membership either has both or
/// neither. Names of organisations and users share one namespace (see ``Name``).
public struct IdentityStore: Sendable {
    let database: Database
    /// The clock, in Unix seconds; tests move it to check expiry.
    let now: @Sendable () -> Int
    /// Callers recently authenticated, when this store serves requests (nil: every
    /// authentication reads the database).
    let principalCache: PrincipalCache?

    /// How often, at most, a token's `last_used_at` is written (seconds): once a minute is
    /// precise enough for "last used" and spares a write on every request.
    static let lastUsedResolution = 60

    /// - Parameter principalCache: keeps authenticated callers for a few seconds (see
    ///   ``PrincipalCache``); changes made through this store empty it.
    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) },
                principalCache: PrincipalCache? = nil) {
        self.database = database
        self.now = now
        self.principalCache = principalCache
    }

    // MARK: Organisations

    /// Creates an organisation.
    public func createOrganisation(name: String, sector: Sector) async throws -> Organisation {
        try Name.validate(name, kind: "organisation")
        let organisation = Organisation(id: RecordIdentifier.make("org"), name: name, sector: sector, createdAt: now())
        try await database.transaction { db in
            try await Self.requireFreeName(name, kind: "organisation", db)
            try await db.raw("""
                INSERT INTO organisations (id, name, sector, created_at)
                VALUES (\(bind: organisation.id), \(bind: name), \(bind: sector.rawValue), \(bind: organisation.createdAt))
                """).run()
        }
        return organisation
    }

    /// Every organisation, by name.
    public func organisations() async throws -> [Organisation] {
        try await database.read { db in
            try await db.raw("SELECT id, name, sector, created_at FROM organisations ORDER BY name").all().map(Self.organisation)
        }
    }

    /// The organisation with this name, or 404.
    public func organisation(named name: String) async throws -> Organisation {
        let found = try await database.read { db in
            try await db.raw("SELECT id, name, sector, created_at FROM organisations WHERE name = \(bind: name)").first().map(Self.organisation)
        }
        guard let found else { throw IdentityError.notFound(kind: "organisation", name: name) }
        return found
    }

    /// The organisation with this id, or 404.
    public func organisation(id: String) async throws -> Organisation {
        let found = try await database.read { db in
            try await db.raw("SELECT id, name, sector, created_at FROM organisations WHERE id = \(bind: id)").first().map(Self.organisation)
        }
        guard let found else { throw IdentityError.notFound(kind: "organisation", name: id) }
        return found
    }

    // MARK: Users and memberships

    /// Creates a user, optionally as a member of an organisation with a role.
    public func createUser(name: String, isOperator: Bool = false, organisation: String? = nil, role: Role = .member) async throws -> User {
        try Name.validate(name, kind: "user")
        let user = User(id: RecordIdentifier.make("usr"), name: name, isOperator: isOperator, createdAt: now())
        try await database.transaction { db in
            try await Self.requireFreeName(name, kind: "user", db)
            try await db.raw("""
                INSERT INTO users (id, name, is_operator, created_at)
                VALUES (\(bind: user.id), \(bind: name), \(bind: isOperator ? 1 : 0), \(bind: user.createdAt))
                """).run()
            if let organisation {
                let org = try await Self.organisation(named: organisation, db)
                try await Self.insertMembership(userID: user.id, organisationID: org.id, role: role, at: user.createdAt, db)
            }
        }
        return user
    }

    /// Adds a user to an organisation, or changes the role they hold there.
    public func setMembership(user userName: String, organisation organisationName: String, role: Role) async throws {
        try await database.transaction { db in
            let user = try await Self.user(named: userName, db)
            let org = try await Self.organisation(named: organisationName, db)
            try await db.raw("DELETE FROM memberships WHERE user_id = \(bind: user.id) AND organisation_id = \(bind: org.id)").run()
            try await Self.insertMembership(userID: user.id, organisationID: org.id, role: role, at: now(), db)
        }
        principalCache?.removeAll()
    }

    /// The user with this name, or 404.
    public func user(named name: String) async throws -> User {
        try await database.read { db in try await Self.user(named: name, db) }
    }

    /// Users, by name: all of them, or the members of one organisation.
    public func users(inOrganisation organisationID: String? = nil) async throws -> [User] {
        try await database.read { db in
            if let organisationID {
                return try await db.raw("""
                    SELECT u.id, u.name, u.is_operator, u.created_at FROM users u
                    JOIN memberships m ON m.user_id = u.id
                    WHERE m.organisation_id = \(bind: organisationID) ORDER BY u.name
                    """).all().map(Self.user)
            }
            return try await db.raw("SELECT id, name, is_operator, created_at FROM users ORDER BY name").all().map(Self.user)
        }
    }

    /// A user's memberships, by organisation name.
    public func memberships(ofUser userID: String) async throws -> [Membership] {
        try await database.read { db in try await Self.memberships(ofUser: userID, db) }
    }

    // MARK: Operator

    /// Creates the platform operator and its first token (all scopes, no expiry). Fails if an
    /// operator already exists, so running it twice never mints a second master key silently.
    public func initialise(operatorName: String = "operator") async throws -> (User, IssuedToken) {
        let existing = try await database.read { db in
            try await db.raw("SELECT name FROM users WHERE is_operator = 1 ORDER BY created_at").first()
                .map { try $0.decode(column: "name", as: String.self) }
        }
        if let existing {
            throw IdentityError.alreadyExists(kind: "operator", name: existing)
        }
        let user = try await createUser(name: operatorName, isOperator: true)
        let token = try await issueToken(user: operatorName, name: "initial operator token", scopes: Set(Scope.allCases))
        return (user, token)
    }

    // MARK: Tokens

    /// Creates a token for a user. When `organisation` is given the user must belong to it (an
    /// operator may scope a token to any organisation) and the token acts only there.
    public func issueToken(
        user userName: String, organisation organisationName: String? = nil, name: String,
        scopes: Set<Scope>, lifetime: Int? = nil
    ) async throws -> IssuedToken {
        guard !scopes.isEmpty else {
            throw IdentityError.invalidInput(param: "scopes", message: "give at least one scope: read, write, inference, admin")
        }
        let tokenName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(tokenName.count), !tokenName.contains(where: \.isNewline) else {
            throw IdentityError.invalidInput(param: "name", message: "a token name must be 1–100 characters on one line")
        }
        let secret = TokenSecret.generate()
        let createdAt = now()
        let token: APIToken = try await database.transaction { db in
            let user = try await Self.user(named: userName, db)
            var organisationID: String?
            if let organisationName {
                let org = try await Self.organisation(named: organisationName, db)
                let isMember = try await Self.memberships(ofUser: user.id, db).contains { $0.organisationID == org.id }
                guard isMember || user.isOperator else {
                    throw IdentityError.invalidInput(param: "org", message: "user '\(userName)' is not a member of '\(organisationName)'; add them first")
                }
                organisationID = org.id
            }
            let token = APIToken(
                id: RecordIdentifier.make("tok"), userID: user.id, organisationID: organisationID, name: tokenName,
                prefix: secret.prefix, scopes: scopes.sorted(), createdAt: createdAt,
                expiresAt: lifetime.map { createdAt + $0 }, lastUsedAt: nil, revokedAt: nil)
            try await db.raw("""
                INSERT INTO api_tokens (id, user_id, organisation_id, name, prefix, secret_hash, scopes, created_at, expires_at)
                VALUES (\(bind: token.id), \(bind: user.id), \(bind: organisationID), \(bind: tokenName), \(bind: token.prefix),
                        \(bind: secret.hash), \(bind: Scope.serialise(scopes)), \(bind: createdAt), \(bind: token.expiresAt))
                """).run()
            return token
        }
        return IssuedToken(token: token, secret: secret)
    }

    /// Tokens, newest first: all of them, or one user's.
    public func tokens(ofUser userID: String? = nil) async throws -> [APIToken] {
        try await database.read { db in
            let rows: [any SQLRow]
            if let userID {
                rows = try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns) FROM api_tokens WHERE user_id = \(bind: userID) ORDER BY created_at DESC, id").all()
            } else {
                rows = try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns) FROM api_tokens ORDER BY created_at DESC, id").all()
            }
            return try rows.map(Self.token)
        }
    }

    /// The token with this id (or this secret prefix), or 404.
    public func token(_ idOrPrefix: String) async throws -> APIToken {
        let found = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns) FROM api_tokens WHERE id = \(bind: idOrPrefix) OR prefix = \(bind: idOrPrefix)")
                .first().map(Self.token)
        }
        guard let found else { throw IdentityError.notFound(kind: "token", name: idOrPrefix) }
        return found
    }

    /// Revokes a token; it stops working at once. Revoking twice keeps the first time.
    public func revokeToken(_ idOrPrefix: String) async throws -> APIToken {
        let token = try await token(idOrPrefix)
        let at = now()
        try await database.transaction { db in
            try await db.raw("UPDATE api_tokens SET revoked_at = \(bind: at) WHERE id = \(bind: token.id) AND revoked_at IS NULL").run()
        }
        principalCache?.removeAll()
        return try await self.token(token.id)
    }

    /// Finds the caller behind a presented bearer token.
    ///
    /// Throws ``IdentityError/unauthenticated(_:)`` for a malformed, unknown, expired or revoked
    /// token, saying which so the user knows what to do, without saying whose token it was.
    public func authenticate(bearer presented: String) async throws -> Principal {
        guard let secret = TokenSecret(presented: presented) else {
            throw IdentityError.unauthenticated("the bearer token is not a Nuri token (they start with 'nuri_'); check the Authorization header")
        }
        let now = now()
        let presentedHash = principalCache == nil ? nil : secret.hash
        if let principalCache, let presentedHash,
           let (principal, writeLastUsed) = principalCache.lookup(hash: presentedHash, now: now, lastUsedResolution: Self.lastUsedResolution) {
            if let reason = principal.token.unusableReason(now: now) { throw IdentityError.unauthenticated(reason) }
            if writeLastUsed { try await writeLastUsedAt(now, of: principal.token.id) }
            return principal
        }
        let (found, hash) = try await database.read { db -> (APIToken?, String?) in
            guard let row = try await db.raw("SELECT \(unsafeRaw: Self.tokenColumns), secret_hash FROM api_tokens WHERE prefix = \(bind: secret.prefix)").first()
            else { return (nil, nil) }
            return (try Self.token(row), try row.decode(column: "secret_hash", as: String.self))
        }
        guard let token = found, let hash, secret.matches(storedHash: hash) else {
            throw IdentityError.unauthenticated("the bearer token is not valid; check it, or create a new one with `nuri admin token create`")
        }
        if let reason = token.unusableReason(now: now) {
            throw IdentityError.unauthenticated(reason)
        }
        let (user, memberships) = try await database.read { db in
            (try await Self.user(id: token.userID, db), try await Self.memberships(ofUser: token.userID, db))
        }
        var lastUsedWritten = token.lastUsedAt ?? 0
        if now - lastUsedWritten >= Self.lastUsedResolution {
            try await writeLastUsedAt(now, of: token.id)
            lastUsedWritten = now
        }
        let principal = Principal(user: user, token: token, memberships: memberships)
        if let principalCache, let presentedHash {
            principalCache.insert(principal, hash: presentedHash, now: now, lastUsedWritten: lastUsedWritten)
        }
        return principal
    }

    private func writeLastUsedAt(_ time: Int, of tokenID: String) async throws {
        try await database.read { db in
            try await db.raw("UPDATE api_tokens SET last_used_at = \(bind: time) WHERE id = \(bind: tokenID)").run()
        }
    }

    // MARK: Rows

    static let tokenColumns = "id, user_id, organisation_id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at"

    static func organisation(_ row: any SQLRow) throws -> Organisation {
        Organisation(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            sector: try Sector.parse(try row.decode(column: "sector", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Int.self))
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            isOperator: try row.decode(column: "is_operator", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int.self))
    }

    static func token(_ row: any SQLRow) throws -> APIToken {
        APIToken(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            organisationID: try row.decode(column: "organisation_id", as: String?.self),
            name: try row.decode(column: "name", as: String.self),
            prefix: try row.decode(column: "prefix", as: String.self),
            scopes: try Scope.parseList(try row.decode(column: "scopes", as: String.self)).sorted(),
            createdAt: try row.decode(column: "created_at", as: Int.self),
            expiresAt: try row.decode(column: "expires_at", as: Int?.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int?.self))
    }

    // MARK: Queries shared inside transactions

    static func requireFreeName(_ name: String, kind: String, _ db: any SQLDatabase) async throws {
        // Case-insensitive, so `Seoul` and `seoul` cannot both own repositories.
        let taken = try await db.raw("""
            SELECT name FROM organisations WHERE LOWER(name) = LOWER(\(bind: name))
            UNION ALL SELECT name FROM users WHERE LOWER(name) = LOWER(\(bind: name))
            """).first()
        if taken != nil { throw IdentityError.alreadyExists(kind: kind, name: name) }
    }

    static func organisation(named name: String, _ db: any SQLDatabase) async throws -> Organisation {
        guard let row = try await db.raw("SELECT id, name, sector, created_at FROM organisations WHERE name = \(bind: name)").first() else {
            throw IdentityError.notFound(kind: "organisation", name: name)
        }
        return try organisation(row)
    }

    static func user(named name: String, _ db: any SQLDatabase) async throws -> User {
        guard let row = try await db.raw("SELECT id, name, is_operator, created_at FROM users WHERE name = \(bind: name)").first() else {
            throw IdentityError.notFound(kind: "user", name: name)
        }
        return try user(row)
    }

    static func user(id: String, _ db: any SQLDatabase) async throws -> User {
        guard let row = try await db.raw("SELECT id, name, is_operator, created_at FROM users WHERE id = \(bind: id)").first() else {
            throw IdentityError.unauthenticated("the token's user no longer exists")
        }
        return try user(row)
    }

    static func memberships(ofUser userID: String, _ db: any SQLDatabase) async throws -> [Membership] {
        try await db.raw("""
            SELECT m.user_id, m.organisation_id, o.name, o.sector, m.role FROM memberships m
            JOIN organisations o ON o.id = m.organisation_id
            WHERE m.user_id = \(bind: userID) ORDER BY o.name
            """).all().map { row in
                Membership(
                    userID: try row.decode(column: "user_id", as: String.self),
                    organisationID: try row.decode(column: "organisation_id", as: String.self),
                    organisationName: try row.decode(column: "name", as: String.self),
                    sector: try Sector.parse(try row.decode(column: "sector", as: String.self)),
                    role: try Role.parse(try row.decode(column: "role", as: String.self)))
            }
    }

    static func insertMembership(userID: String, organisationID: String, role: Role, at time: Int, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO memberships (user_id, organisation_id, role, created_at)
            VALUES (\(bind: userID), \(bind: organisationID), \(bind: role.rawValue), \(bind: time))
            """).run()
    }
}
