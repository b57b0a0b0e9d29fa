import ArgumentParser
import Foundation
import NuriIdentity

/// `nuri admin token …`
struct AdminToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it alone on the last line.",
            discussion: """
                The secret is shown only this once; Nuri stores its SHA-256 hash.

                Example:
                  TOKEN=$(nuri admin token create --user minji --org seoul-city --scopes read,inference --expires 30d | tail -n 1)
                """
        )

        @Option(help: "The user the token acts as.")
        var user: String

        @Option(help: "Limit the token to this organisation (the user must be a member).")
        var org: String?

        @Option(help: "Comma-separated: read, write, inference, admin.")
        var scopes: String

        @Option(help: "Lifetime such as 30d, 12h, 2w, 1y, or never (default).")
        var expires = "never"

        @Option(help: "A name to recognise the token by.")
        var name = "cli"

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let scopes = try Scope.parseList(scopes)
            let lifetime = try TokenLifetime.parse(expires)
            let issued = try await store.withDatabase { database in
                try await IdentityStore(database: database).issueToken(user: user, organisation: org, name: name, scopes: scopes, lifetime: lifetime)
            }
            let expiry = issued.token.expiresAt.map { "expires \(Table.time($0))" } ?? "never expires"
            print("Created token \(issued.token.id) for '\(user)' with scopes \(issued.token.scopes.map(\.rawValue).joined(separator: ",")); it \(expiry).")
            print(issued.secret.value)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @Option(help: "Only this user's tokens.")
        var user: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let tokens = try await store.withDatabase { database in
                let identity = IdentityStore(database: database)
                var userID: String?
                if let user { userID = try await identity.user(named: user).id }
                return try await identity.tokens(ofUser: userID)
            }
            if json { return try Table.printJSON(tokens) }
            Table.print(
                headers: ["ID", "PREFIX", "NAME", "SCOPES", "EXPIRES", "LAST USED", "STATUS"],
                rows: tokens.map { token in
                    let status = token.revokedAt != nil ? "revoked" : (token.unusableReason(now: Int(Date().timeIntervalSince1970)) != nil ? "expired" : "active")
                    return [token.id, token.prefix + "…", token.name, token.scopes.map(\.rawValue).joined(separator: ","),
                            Table.time(token.expiresAt), Table.time(token.lastUsedAt), status]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; it stops working at once.")

        @Argument(help: "The token's id (tok_…) or prefix (nuri_…).")
        var token: String

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let revoked = try await store.withDatabase { try await IdentityStore(database: $0).revokeToken(token) }
            print("Revoked token \(revoked.id) (\(revoked.prefix)…).")
        }
    }
}
