@preconcurrency import AsyncKit
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// Opens connections to one SQLite file, set up for a server that shares the file with the
/// `nuri admin` commands of other processes:
/// - WAL journal, so readers never wait for the writer;
/// - a busy timeout, so a second writer waits for the lock instead of failing at once;
/// - foreign keys enforced (SQLite leaves them off by default).
struct SQLiteFileSource: ConnectionPoolSource {
    let path: String
    /// milliseconds a writer waits for another process's write lock before giving up.
    let busyTimeoutMilliseconds: Int = 10_000

    /// The threads SQLite's blocking calls run on. Not NIO's shared pool (one thread per core):
    /// a writer waiting out `busy_timeout` sleeps on its thread, and on a two-core machine two
    /// such waits left no thread for the connection holding the lock to commit — it then timed
    /// out too ("database is locked") while the lock holder was merely unscheduled.
    static let threadPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        let pragmas = [
            "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
        ]
        return SQLiteConnection.open(storage: .file(path: path), threadPool: Self.threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { previous, pragma in
                    previous.flatMap { connection.query(pragma).map { _ in } }
                }
                .flatMapError { error in connection.close().flatMapThrowing { throw error } }
                .map { connection }
            }
    }
}
