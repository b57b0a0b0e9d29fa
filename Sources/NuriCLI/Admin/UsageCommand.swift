import ArgumentParser
import Foundation
import NuriGateway
import NuriIdentity

/// `nuri usage`
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Summarise inference usage: requests and tokens per model and organisation.",
        discussion: """
            Reads the database directly (same --data-dir or --database as `nuri serve`).

            Examples:
              nuri usage                       # the last 30 days
              nuri usage --since 24h --org seoul-city
            """
    )

    @Option(help: "How far back: 24h, 7d, 30d (default), 1y, or never for all.")
    var since = "30d"

    @Option(help: "Only this organisation.")
    var org: String?

    @Option(help: "Only this model.")
    var model: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let window = try TokenLifetime.parse(since)
        let start = window.map { Int(Date().timeIntervalSince1970) - $0 } ?? 0
        let (rows, names) = try await store.withDatabase { database in
            let identity = IdentityStore(database: database)
            var organisationID: String?
            if let org { organisationID = try await identity.organisation(named: org).id }
            let rows = try await UsageStore(database: database).summary(since: start, organisationID: organisationID, model: model)
            let names = Dictionary(uniqueKeysWithValues: try await identity.organisations().map { ($0.id, $0.name) })
            return (rows, names)
        }
        if json { return try Table.printJSON(rows) }
        Table.print(
            headers: ["MODEL", "ORGANISATION", "REQUESTS", "PROMPT TOKENS", "COMPLETION TOKENS", "ERRORS"],
            rows: rows.map { row in
                [row.model, row.organisationID.map { names[$0] ?? $0 } ?? "-", String(row.requests), String(row.promptTokens),
                 String(row.completionTokens), String(row.errors)]
            })
    }
}
