import ArgumentParser
import NuriIdentity

/// `nuri admin user …`
struct AdminUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create and list users, and set their role in an organisation.",
        subcommands: [Create.self, List.self, SetRole.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user, optionally as a member of an organisation.",
            discussion: "Example: nuri admin user create minji --org seoul-city --role admin"
        )

        @Argument(help: "Name: letters, digits, '-', '_', '.'; shares one namespace with organisation names.")
        var name: String

        @Option(help: "Organisation the user joins.")
        var org: String?

        @Option(help: "Role in --org: owner, admin or member.")
        var role = "member"

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let role = try Role.parse(role)
            let user = try await store.withDatabase { database in
                try await IdentityStore(database: database).createUser(name: name, organisation: org, role: role)
            }
            let membership = org.map { " as \(role.rawValue) of '\($0)'" } ?? ""
            print("Created user '\(user.name)'\(membership), id \(user.id).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users, all or one organisation's.")

        @Option(help: "Only members of this organisation.")
        var org: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows: [(User, [Membership])] = try await store.withDatabase { database in
                let identity = IdentityStore(database: database)
                var organisationID: String?
                if let org { organisationID = try await identity.organisation(named: org).id }
                var rows: [(User, [Membership])] = []
                for user in try await identity.users(inOrganisation: organisationID) {
                    rows.append((user, try await identity.memberships(ofUser: user.id)))
                }
                return rows
            }
            if json { return try Table.printJSON(rows.map(\.0)) }
            Table.print(
                headers: ["NAME", "OPERATOR", "ORGANISATIONS", "ID"],
                rows: rows.map { user, memberships in
                    let orgs = memberships.map { "\($0.organisationName)(\($0.role.rawValue))" }.joined(separator: ",")
                    return [user.name, user.isOperator ? "yes" : "no", orgs.isEmpty ? "-" : orgs, user.id]
                })
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role",
            abstract: "Add a user to an organisation, or change their role there.",
            discussion: "Example: nuri admin user set-role minji --org seoul-city --role owner"
        )

        @Argument(help: "User name.")
        var name: String

        @Option(help: "Organisation.")
        var org: String

        @Option(help: "owner, admin or member.")
        var role: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let role = try Role.parse(role)
            try await store.withDatabase { database in
                try await IdentityStore(database: database).setMembership(user: name, organisation: org, role: role)
            }
            print("'\(name)' is now \(role.rawValue) of '\(org)'.")
        }
    }
}
