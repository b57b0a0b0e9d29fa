import Foundation
import Hummingbird
import Logging
import NuriIdentity
import NuriStore

/// `nuri serve`: opens the database, brings its schema up to date, serves HTTP until SIGINT or
/// SIGTERM, lets in-flight requests finish, then closes the database.
public enum Server {
    /// Runs the server. `announce` receives the lines telling the user where to point a client,
    /// once the socket is listening.
    public static func run(configuration: ServerConfiguration, logger: Logger, announce: @escaping @Sendable (String) -> Void) async throws {
        let location = try configuration.databaseLocation()
        let database = try await Database.openMigrated(location, logger: logger)
        let identity = IdentityStore(database: database)
        let hasOperator = (try? await identity.users().contains(where: \.isOperator)) ?? false
        let dataDirectory = configuration.dataDirectory
        let app = NuriApplication.application(configuration: configuration, database: database, logger: logger) { port in
            let base = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(port)"
            var lines = [
                "Nuri is serving at \(base) (database: \(database.redactedLocation))",
                "  health:  curl \(base)/healthz",
                "  API:     curl -H \"Authorization: Bearer $NURI_TOKEN\" \(base)/api/orgs",
            ]
            if !hasOperator {
                lines.append("  No operator yet: run `nuri admin init --data-dir \(dataDirectory)` to create one and print its token.")
            }
            announce(lines.joined(separator: "\n"))
        }
        do {
            try await app.runService()
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }
}
