@preconcurrency import AsyncKit
import Logging
import NIOCore
import SQLKit

/// Lends one database connection at a time, as an `SQLDatabase`, for the length of a closure.
///
/// Every query Nuri runs goes through `withConnection`, so a transaction's statements always
/// share a connection and never interleave with another task's.
protocol ConnectionProvider: Sendable {
    func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R
    func shutdown() async throws
}

/// A pool of connections from AsyncKit, each turned into an `SQLDatabase` by `makeSQL`.
struct PooledConnections<Source: ConnectionPoolSource>: ConnectionProvider {
    let pool: EventLoopGroupConnectionPool<Source>
    let makeSQL: @Sendable (Source.Connection) -> any SQLDatabase

    func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try await pool.requestConnection().get()
        defer { pool.releaseConnection(connection) }
        return try await body(makeSQL(connection))
    }

    func shutdown() async throws {
        try await pool.shutdownAsync()
    }
}
