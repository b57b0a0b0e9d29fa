import Foundation
import NuriStore
import SQLKit

/// The database engines a store test runs against. SQLite always; PostgreSQL when
/// `NURI_TEST_POSTGRES_URL` names a server (`make test` starts one on loopback and sets it).
public enum TestBackend: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The server `make test` started, if any.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["NURI_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The engines available to this run.
    public static var available: [TestBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    /// Whether the run must include PostgreSQL (`make test` and CI set `NURI_REQUIRE_POSTGRES=1`).
    public static var postgresRequired: Bool {
        ProcessInfo.processInfo.environment["NURI_REQUIRE_POSTGRES"] == "1"
    }
}

/// A throwaway database: a new SQLite file in a temporary directory, or a new schema in the test
/// PostgreSQL server. Dropped afterwards.
public struct TestDatabase: Sendable {
    public let backend: TestBackend
    public let location: DatabaseLocation
    /// The temporary directory (SQLite) that also serves as a data directory.
    public let directory: String
    let schema: String?

    public init(_ backend: TestBackend) throws {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        directory = NSTemporaryDirectory() + "nuri-test-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.backend = backend
        switch backend {
        case .sqlite:
            schema = nil
            location = .sqlite(inDataDirectory: directory)
        case .postgres:
            guard let url = TestBackend.postgresURL else {
                throw TestDatabaseError("NURI_TEST_POSTGRES_URL is not set; run the tests with `make test`, which starts PostgreSQL")
            }
            let schema = "nuri_test_\(id)"
            self.schema = schema
            location = .postgres(url: url, schema: schema)
        }
    }

    /// A URL for `--database` that names this database (PostgreSQL), or nil for SQLite.
    public var databaseURL: String? {
        guard case .postgres(let url, let schema?) = location else { return nil }
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Opens (and by default migrates) the database, runs `body`, closes and drops it.
    public static func with<R>(
        _ backend: TestBackend, migrated: Bool = true, _ body: (Database, TestDatabase) async throws -> R
    ) async throws -> R {
        let test = try TestDatabase(backend)
        defer { test.removeFiles() }
        let database = migrated ? try await Database.openMigrated(test.location) : try await Database.open(test.location)
        do {
            let result = try await body(database, test)
            try await database.close()
            try await test.drop()
            return result
        } catch {
            try? await database.close()
            try? await test.drop()
            throw error
        }
    }

    /// Drops the PostgreSQL schema (SQLite's file goes with the directory).
    public func drop() async throws {
        guard let schema, let url = TestBackend.postgresURL else { return }
        let admin = try await Database.open(.postgres(url: url, schema: nil))
        try await admin.read { db in try await db.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run() }
        try await admin.close()
    }

    public func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A test environment that is not set up as the tests need.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
