import Foundation
import SQLKit

/// Brings a database's schema up to ``Schema/migrations``' last version.
///
/// - Each pending migration runs in its own transaction together with the row that records it,
///   so a failure leaves the schema at the previous version, never half-changed.
/// - Running again is a no-op; two processes starting together serialise on a lock (PostgreSQL:
///   an advisory lock; SQLite: the write lock of `BEGIN IMMEDIATE`) and re-read the version.
/// - A database at a version this binary does not know is refused.
public struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]

    /// The key of the PostgreSQL advisory lock that serialises migrators ("nuri" in ASCII).
    static let advisoryLockKey = 0x6E75_7269

    public init(database: Database, migrations: [Migration] = Schema.migrations) {
        self.database = database
        self.migrations = migrations
    }

    /// The newest version this binary knows.
    public var knownVersion: Int { migrations.last?.version ?? 0 }

    /// The version the database is at (0 for an empty database).
    public func currentVersion() async throws -> Int {
        try await locked { db in try await Self.version(db) }
    }

    /// Applies every pending migration. Returns the versions it applied (empty if none).
    @discardableResult
    public func migrate() async throws -> [Int] {
        let known = knownVersion
        let found = try await currentVersion()
        if found > known { throw StoreError.schemaTooNew(found: found, known: known) }
        // Every known migration not recorded yet, in order — also one numbered below the newest
        // recorded (a branch that landed after a higher-numbered one), not only those above.
        let recorded = try await locked { db in try await Self.recordedVersions(db) }
        var applied: [Int] = []
        for migration in migrations where !recorded.contains(migration.version) {
            let didApply = try await locked { db in
                // Another process may have migrated while we waited for the lock.
                let current = try await Self.version(db)
                if current > known { throw StoreError.schemaTooNew(found: current, known: known) }
                guard try await !Self.recordedVersions(db).contains(migration.version) else { return false }
                do {
                    for statement in migration.statements {
                        try await db.raw("\(unsafeRaw: statement)").run()
                    }
                } catch {
                    throw StoreError.migrationFailed(version: migration.version, name: migration.name, reason: "\(error)")
                }
                let now = Int(Date().timeIntervalSince1970)
                try await db.raw("""
                    INSERT INTO nuri_schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now))
                    """).run()
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }

    /// Runs `body` in a transaction that holds the migration lock and in which the bookkeeping
    /// table exists. (PostgreSQL's `CREATE TABLE IF NOT EXISTS` is not safe against a concurrent
    /// twin, so even creating that table happens under the lock.)
    private func locked<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let kind = database.kind
        return try await database.transaction { db in
            if kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(literal: Self.advisoryLockKey))").run()
            }
            try await Self.ensureTable(db)
            return try await body(db)
        }
    }

    static func ensureTable(_ db: any SQLDatabase) async throws {
        try await db.raw("""
            CREATE TABLE IF NOT EXISTS nuri_schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """).run()
    }

    static func recordedVersions(_ db: any SQLDatabase) async throws -> Set<Int> {
        Set(try await db.raw("SELECT version FROM nuri_schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) })
    }

    static func version(_ db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("SELECT COALESCE(MAX(version), 0) AS version FROM nuri_schema_migrations").first()
        return try row?.decode(column: "version", as: Int.self) ?? 0
    }
}
