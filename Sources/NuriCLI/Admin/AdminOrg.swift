import ArgumentParser
import NuriIdentity

/// `nuri admin org …`
struct AdminOrg: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Create and list organisations.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organisation.",
            discussion: "Example: nuri admin org create seoul-city --sector public"
        )

        @Argument(help: "Name: letters, digits, '-', '_', '.'; shares one namespace with user names.")
        var name: String

        @Option(help: "public (government, agencies), private (companies), academic or startup.")
        var sector: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let sector = try Sector.parse(sector)
            let organisation = try await store.withDatabase { database in
                try await IdentityStore(database: database).createOrganisation(name: name, sector: sector)
            }
            print("Created organisation '\(organisation.name)' (\(organisation.sector.rawValue)), id \(organisation.id).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organisations.")

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let organisations = try await store.withDatabase { try await IdentityStore(database: $0).organisations() }
            if json { return try Table.printJSON(organisations) }
            Table.print(
                headers: ["NAME", "SECTOR", "ID", "CREATED"],
                rows: organisations.map { [$0.name, $0.sector.rawValue, $0.id, Table.time($0.createdAt)] })
        }
    }
}
