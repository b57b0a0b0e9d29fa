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

    /// The settings these options point at.
    func configuration() throws -> ServerConfiguration {
        var flags: [ConfigurationKey: String] = [:]
        flags[.dataDir] = dataDir
        flags[.database] = database
        return try ConfigurationResolver(flags: flags, configFile: config).resolve().0
    }

    /// Opens the database and brings its schema up to date.
    func open() async throws -> Database {
        let configuration = try configuration()
        var logger = Logger(label: "nuri.admin")
        logger.logLevel = .error
        return try await Database.openMigrated(try configuration.databaseLocation(), logger: logger)
    }

    /// Runs `body` with the guard's services (the installation's audit keys) over the open database.
    func withGuard<R>(_ body: (GuardServices, Database) async throws -> R) async throws -> R {
        let configuration = try configuration()
        return try await withDatabase { database in
            try await body(try GuardServices.open(database: database, configuration: configuration), database)
        }
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
