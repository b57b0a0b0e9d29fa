import ArgumentParser
import Logging
import NuriServer
import NuriStore

/// Where `nuri admin` commands find the database: the same settings, and the same precedence,
/// as `nuri serve`, so an operator points both at one place.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory holding the SQLite database (default ~/.nuri, or NURI_DATA_DIR).")
    var dataDir: String?

    @Option(help: "PostgreSQL URL instead of SQLite (or NURI_DATABASE_URL).")
    var database: String?

    @Option(help: "YAML config file (also NURI_CONFIG).")
    var config: String?

    /// Opens the database and brings its schema up to date.
    func open() async throws -> Database {
        var flags: [ConfigurationKey: String] = [:]
        flags[.dataDir] = dataDir
        flags[.database] = database
        let (configuration, _) = try ConfigurationResolver(flags: flags, configFile: config).resolve()
        var logger = Logger(label: "nuri.admin")
        logger.logLevel = .error
        return try await Database.openMigrated(try configuration.databaseLocation(), logger: logger)
    }

    /// Runs `body` with the open database and closes it afterwards, whatever happens.
    func withDatabase<R>(_ body: (Database) async throws -> R) async throws -> R {
        let database = try await open()
        do {
            let result = try await body(database)
            try? await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}
