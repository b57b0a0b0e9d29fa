@preconcurrency import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// Nuri's database: SQLite by default, PostgreSQL for scale, one query layer (SQLKit) for both.
///
/// All access goes through ``read(_:)`` (one connection for a few statements) or
/// ``transaction(_:)`` (all-or-nothing). Queries never log their bound values: they can hold
/// token hashes and, later, personal data.
public final class Database: Sendable {
    /// Which engine this is, for the few statements that differ.
    public let kind: DatabaseKind
    /// Where it is, safe to print (passwords redacted).
    public let redactedLocation: String
    private let connections: any ConnectionProvider
    private let logger: Logger
    /// The SQLite file, whose write transactions take turns in this process (``SQLiteWriteGate``).
    private let sqlitePath: String?

    private init(kind: DatabaseKind, redactedLocation: String, connections: any ConnectionProvider, logger: Logger, sqlitePath: String? = nil) {
        self.sqlitePath = sqlitePath
        self.kind = kind
        self.redactedLocation = redactedLocation
        self.connections = connections
        self.logger = logger
    }

    /// Opens the database and checks that it answers. Does not migrate: call
    /// ``Migrator/migrate(_:)`` (or ``openMigrated(_:logger:)``) for that.
    ///
    /// - Throws: ``StoreError/unreachable(location:reason:)`` when the file cannot be created or
    ///   the server cannot be reached, with the driver's reason.
    public static func open(_ location: DatabaseLocation, logger: Logger = Logger(label: "nuri.store")) async throws -> Database {
        // The pool logs each failed connection attempt; the StoreError thrown below says the
        // same once, with advice, so the pool speaks only of worse trouble.
        var poolLogger = logger
        poolLogger.logLevel = .critical
        let database: Database
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw StoreError.unreachable(location: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
                }
            }
            let pool = EventLoopGroupConnectionPool(
                source: SQLiteFileSource(path: path),
                maxConnectionsPerEventLoop: 1,
                requestTimeout: .seconds(30),
                logger: poolLogger,
                on: MultiThreadedEventLoopGroup.singleton
            )
            database = Database(
                kind: .sqlite, redactedLocation: location.redactedDescription,
                connections: PooledConnections(pool: pool) { $0.sql(queryLogLevel: nil) }, logger: logger,
                sqlitePath: (path as NSString).standardizingPath)
        case .postgres(let url, let schema):
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: url)
            } catch {
                throw StoreError.invalidURL(redacted: location.redactedDescription, reason: "\(error)")
            }
            configuration.coreConfiguration.options.connectTimeout = .seconds(5)
            if let schema { configuration.searchPath = [schema] }
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: 4,
                requestTimeout: .seconds(10),
                logger: poolLogger,
                on: MultiThreadedEventLoopGroup.singleton
            )
            database = Database(
                kind: .postgres, redactedLocation: location.redactedDescription,
                connections: PooledConnections(pool: pool) { $0.sql(queryLogLevel: nil) }, logger: logger)
            if let schema {
                // The search path names a schema that may not exist yet; create it before anything
                // else uses the connection.
                do {
                    try await database.checked { db in try await db.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)").run() }
                } catch {
                    try? await database.close()
                    throw error
                }
            }
        }
        do {
            try await database.ping()
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    /// Opens the database and brings its schema up to date.
    public static func openMigrated(_ location: DatabaseLocation, logger: Logger = Logger(label: "nuri.store")) async throws -> Database {
        let database = try await open(location, logger: logger)
        do {
            try await Migrator(database: database).migrate()
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    /// Runs `SELECT 1`; throws ``StoreError/unreachable(location:reason:)`` if the database does not answer.
    public func ping() async throws {
        try await checked { db in try await db.raw("SELECT 1").run() }
    }

    /// Runs `body` on one connection, outside any transaction.
    public func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await checked(body)
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    ///
    /// SQLite transactions begin `IMMEDIATE` so that two writers (the server and a `nuri admin`
    /// command) queue on the file lock instead of failing half-way.
    ///
    /// A transaction runs to its end even when the task awaiting it is cancelled (a client that
    /// hangs up mid-stream cancels the task that meters it): the drivers refuse statements in a
    /// cancelled task, so a transaction cancelled half-way would leave `BEGIN` without `COMMIT`
    /// or `ROLLBACK` on a pooled connection, and every later writer would find the database
    /// locked.
    ///
    /// Write transactions on one SQLite file take turns within the process before they begin
    /// (see ``SQLiteWriteGate``), so none holds a pool thread waiting for another's lock.
    ///
    /// `body` and the statements' encoding run on `executor` when one is given (for example
    /// ``BackgroundExecutor/shared`` for a write no request waits on), otherwise where tasks
    /// usually run, on the event loops.
    public func transaction<R: Sendable>(preferring executor: (any TaskExecutor)? = nil,
                                         _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await Task(executorPreference: executor) {
            guard let sqlitePath = self.sqlitePath else { return try await self.uncancellableTransaction(body) }
            await SQLiteWriteGate.shared.enter(sqlitePath)
            do {
                let result = try await self.uncancellableTransaction(body)
                await SQLiteWriteGate.shared.leave(sqlitePath)
                return result
            } catch {
                await SQLiteWriteGate.shared.leave(sqlitePath)
                throw error
            }
        }.value
    }

    private func uncancellableTransaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let begin = kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
        return try await checked { db in
            try await db.raw("\(unsafeRaw: begin)").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Closes every connection. Queries afterwards fail as unreachable; closing twice is harmless.
    public func close() async throws {
        do {
            try await connections.shutdown()
        } catch ConnectionPoolError.shutdown {
            return
        }
    }

    /// Borrows a connection and turns driver errors into ``StoreError`` values: a failure to lend
    /// a connection at all becomes ``StoreError/unreachable(location:reason:)``; errors that
    /// `body` throws on its own (a domain error, say) pass through unchanged.
    private func checked<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        do {
            return try await connections.withConnection { db in
                do {
                    return try await body(db)
                } catch let error as PSQLError {
                    throw FromBody(error: StoreErrorMapping.map(postgres: error))
                } catch let error as SQLiteError {
                    throw FromBody(error: StoreErrorMapping.map(sqlite: error))
                } catch {
                    throw FromBody(error: error)
                }
            }
        } catch let wrapped as FromBody {
            throw wrapped.error
        } catch let error as PSQLError {
            throw StoreError.unreachable(location: redactedLocation, reason: StoreErrorMapping.reason(of: error))
        } catch let error as SQLiteError {
            throw StoreError.unreachable(location: redactedLocation, reason: error.message)
        } catch {
            throw StoreError.unreachable(location: redactedLocation, reason: "\(error)")
        }
    }
}

/// Carries an error thrown inside a borrowed connection's closure past the lending code, so the
/// two kinds of failure can be told apart.
private struct FromBody: Error {
    let error: any Error
}
