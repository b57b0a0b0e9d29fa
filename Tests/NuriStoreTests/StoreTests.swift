import Foundation
import NuriStore
import NuriTestSupport
import SQLKit
import Testing

@Suite("Store: migrations and transactions on SQLite and PostgreSQL")
struct StoreTests {
    @Test("make test provides PostgreSQL when it says it does")
    func postgresIsThereWhenRequired() {
        if TestBackend.postgresRequired {
            #expect(TestBackend.postgresURL != nil, "NURI_REQUIRE_POSTGRES=1 but NURI_TEST_POSTGRES_URL is not set")
        }
    }

    @Test("a new database is migrated to the newest version, and migrating again changes nothing", arguments: TestBackend.available)
    func migrationsAreIdempotent(backend: TestBackend) async throws {
        try await TestDatabase.with(backend, migrated: false) { database, _ in
            let migrator = Migrator(database: database)
            #expect(try await migrator.currentVersion() == 0)
            let applied = try await migrator.migrate()
            #expect(applied == Schema.migrations.map(\.version))
            #expect(try await migrator.currentVersion() == migrator.knownVersion)
            #expect(try await migrator.migrate().isEmpty)
            // The identity tables exist and are usable.
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM organisations").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("a schema newer than the binary is refused with a message saying so", arguments: TestBackend.available)
    func newerSchemaIsRefused(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let future = Migrator(database: database).knownVersion + 7
            try await database.transaction { db in
                try await db.raw("INSERT INTO nuri_schema_migrations (version, name, applied_at) VALUES (\(bind: future), 'from the future', 0)").run()
            }
            await #expect(throws: StoreError.schemaTooNew(found: future, known: Migrator(database: database).knownVersion)) {
                try await Migrator(database: database).migrate()
            }
            do {
                _ = try await Database.openMigrated(test.location)
                Issue.record("opening a newer schema should fail")
            } catch let error as StoreError {
                #expect(error.description.contains("newer Nuri"))
            }
        }
    }

    @Test("a failing migration is rolled back whole and leaves the version as it was", arguments: TestBackend.available)
    func failedMigrationRollsBack(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let known = Migrator(database: database).knownVersion
            let broken = Migration(version: known + 1, name: "broken", statements: [
                "CREATE TABLE half_done (id TEXT PRIMARY KEY)",
                "INSERT INTO no_such_table VALUES (1)",
            ])
            let migrator = Migrator(database: database, migrations: Schema.migrations + [broken])
            do {
                try await migrator.migrate()
                Issue.record("the broken migration should fail")
            } catch let error as StoreError {
                guard case .migrationFailed(let version, let name, _) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(version == known + 1 && name == "broken")
            }
            #expect(try await migrator.currentVersion() == known)
            // The table created before the failing statement is gone with the rollback.
            await #expect(throws: StoreError.self) {
                try await database.read { db in try await db.raw("SELECT * FROM half_done").run() }
            }
        }
    }

    @Test("a migration numbered below the newest applied one is still applied (branches land in any order)", arguments: TestBackend.available)
    func missingLowerVersionIsApplied(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let known = Migrator(database: database).knownVersion
            let later = Migration(version: known + 2, name: "later", statements: ["CREATE TABLE later_branch (id TEXT PRIMARY KEY)"])
            let earlier = Migration(version: known + 1, name: "earlier", statements: ["CREATE TABLE earlier_branch (id TEXT PRIMARY KEY)"])
            #expect(try await Migrator(database: database, migrations: Schema.migrations + [later]).migrate() == [known + 2])
            // The other branch's migration, numbered lower, lands afterwards.
            #expect(try await Migrator(database: database, migrations: Schema.migrations + [earlier, later]).migrate() == [known + 1])
            try await database.read { db in try await db.raw("SELECT * FROM earlier_branch").run() }
            #expect(try await Migrator(database: database, migrations: Schema.migrations + [earlier, later]).migrate().isEmpty)
        }
    }

    @Test("two processes migrating at once apply each migration exactly once", arguments: TestBackend.available)
    func concurrentMigratorsAgree(backend: TestBackend) async throws {
        try await TestDatabase.with(backend, migrated: false) { first, test in
            let second = try await Database.open(test.location)
            let outcomes = await withTaskGroup(of: Result<[Int], any Error>.self) { group in
                for database in [first, second] {
                    group.addTask {
                        do { return .success(try await Migrator(database: database).migrate()) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            try await second.close()
            let applied = try outcomes.flatMap { try $0.get() }
            #expect(applied.sorted() == Schema.migrations.map(\.version))
            let rows = try await first.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM nuri_schema_migrations").first()?.decode(column: "n", as: Int.self)
            }
            #expect(rows == Schema.migrations.count)
        }
    }

    @Test("a transaction that throws leaves nothing behind", arguments: TestBackend.available)
    func transactionRollsBack(backend: TestBackend) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(backend) { database, _ in
            await #expect(throws: Abort.self) {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_1', 'kept?', 'public', 0)").run()
                    throw Abort()
                }
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM organisations").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("a duplicate key is reported as a conflict, not a generic failure", arguments: TestBackend.available)
    func uniqueViolationIsConflict(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let insert = "INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_1', 'same', 'public', 0)"
            try await database.transaction { db in try await db.raw("\(unsafeRaw: insert)").run() }
            do {
                try await database.transaction { db in try await db.raw("\(unsafeRaw: insert)").run() }
                Issue.record("the second insert should fail")
            } catch let error as StoreError {
                guard case .conflict = error else {
                    Issue.record("expected a conflict, got \(error)")
                    return
                }
            }
        }
    }

    @Test("an unreachable PostgreSQL server gives a clear error with the password hidden")
    func unreachablePostgres() async throws {
        do {
            _ = try await Database.open(try DatabaseLocation(url: "postgres://nuri:s3cret@127.0.0.1:1/nuri"))
            Issue.record("opening an unreachable server should fail")
        } catch let error as StoreError {
            guard case .unreachable(let location, _) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(location == "postgres://nuri:***@127.0.0.1:1/nuri")
            #expect(!error.description.contains("s3cret"))
            #expect(error.description.contains("Check that the server is running"))
        }
    }

    @Test("SQLite creates its data directory, private to the user")
    func sqliteCreatesPrivateDirectory() async throws {
        let root = NSTemporaryDirectory() + "nuri-dir-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/nested/data"
        let database = try await Database.openMigrated(.sqlite(inDataDirectory: directory))
        try await database.close()
        #expect(FileManager.default.fileExists(atPath: directory + "/" + DatabaseLocation.sqliteFileName))
        let permissions = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(permissions == 0o700)
    }
}

@Suite("Database URLs")
struct DatabaseLocationTests {
    @Test("postgres URLs parse, keep their options and take Nuri's schema option out")
    func postgresURLs() throws {
        #expect(try DatabaseLocation(url: "postgres://u:p@db:5432/nuri") == .postgres(url: "postgres://u:p@db:5432/nuri", schema: nil))
        #expect(try DatabaseLocation(url: "postgresql://u@db/nuri?schema=team_a&sslmode=disable")
            == .postgres(url: "postgresql://u@db/nuri?sslmode=disable", schema: "team_a"))
        #expect(try DatabaseLocation(url: "sqlite:///var/lib/nuri/nuri.sqlite") == .sqlite(path: "/var/lib/nuri/nuri.sqlite"))
    }

    @Test("bad URLs are refused with what to write instead, never echoing the password",
          arguments: ["mysql://u:hunter2@db/nuri", "postgres://", "postgres://u:hunter2@db/nuri?schema=drop;table", "sqlite:", "nonsense"])
    func badURLs(url: String) {
        do {
            _ = try DatabaseLocation(url: url)
            Issue.record("\(url) should be refused")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("postgres://") || error.description.contains("schema") || error.description.contains("sqlite"))
        }
    }

    @Test("a transaction given an executor runs every step of its body there; without one, not",
          arguments: TestBackend.available)
    func transactionOnExecutor(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let background = BackgroundExecutor.shared
            let steps = try await database.transaction(preferring: background) { db in
                var steps = [background.isCurrent]
                try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_1', 'a', 'public', 0)").run()
                steps.append(background.isCurrent)
                try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_2', 'b', 'public', 0)").run()
                steps.append(background.isCurrent)
                return steps
            }
            #expect(steps == [true, true, true])
            let elsewhere = try await database.transaction { _ in background.isCurrent }
            #expect(!elsewhere)
            // The thread's lower priority is what keeps it from delaying requests.
            let nice = try await database.transaction(preferring: background) { _ in getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
            #expect(nice == BackgroundExecutor.niceness)
        }
    }

    @Test("the redacted description hides the password and keeps the rest")
    func redaction() {
        let location = DatabaseLocation.postgres(url: "postgres://nuri:hunter2@db:5432/nuri", schema: "a")
        #expect(location.redactedDescription == "postgres://nuri:***@db:5432/nuri?schema=a")
    }

    @Test("a transaction whose task is cancelled half-way still ends, and the next one runs", arguments: TestBackend.available)
    func cancelledTransaction(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, _ in
            let started = AsyncStream<Void>.makeStream()
            let task = Task {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_a', 'a', 'public', 0)").run()
                    started.continuation.yield()
                    try await Task.sleep(for: .milliseconds(200))
                    try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_b', 'b', 'public', 0)").run()
                }
            }
            var iterator = started.stream.makeAsyncIterator()
            await iterator.next()
            task.cancel()
            _ = try? await task.value
            // Whatever became of the cancelled one, the database takes the next transaction at once
            // (a transaction left open on a pooled connection would make this fail or wait).
            try await database.transaction { db in
                try await db.raw("INSERT INTO organisations (id, name, sector, created_at) VALUES ('org_c', 'c', 'public', 0)").run()
            }
            let names = try await database.read { db in
                try await db.raw("SELECT name FROM organisations ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(names.contains("c"))
            #expect(names == ["c"] || names == ["a", "b", "c"], "all or nothing: \(names)")
        }
    }
}
