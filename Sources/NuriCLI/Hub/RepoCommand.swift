import ArgumentParser
import Foundation
import NIOHTTP1

/// `nuri repo …`
struct RepoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repo",
        abstract: "Create, list and inspect hub repositories; set who may see them.",
        discussion: """
            Talks to a running server (--url or NURI_URL) as the token's user (--token or NURI_TOKEN).

            Visibility: public (anyone), registered (signed-in users), sectors (members of
            organisations in the given sectors), gated (anyone sees the card; files after an
            approved access request), private (the owner's members and invited organisations).
            """,
        subcommands: [Create.self, List.self, Info.self, SetVisibility.self, Grant.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a repository.", discussion: "Example: nuri repo create seoul-city/traffic-llm --visibility private")

        @Argument(help: "owner/name (the owner is your organisation or your user name).")
        var repository: String
        @Option(help: "model or dataset.")
        var type = "model"
        @Option(help: "public, registered, sectors, gated or private.")
        var visibility = "public"
        @Option(name: .customLong("sector"), help: "With --visibility sectors: a sector that may see it (repeatable).")
        var sectors: [String] = []
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            let parts = repository.split(separator: "/")
            guard parts.count == 2 else { throw CLIError("name the repository owner/name") }
            let answer = try await connection.send(.POST, "/api/repos/create", body: [
                "name": String(parts[1]), "organization": String(parts[0]), "type": type, "visibility": visibility, "sectors": sectors])
            print("Created \(repository): \((answer as? [String: Any])?["url"] as? String ?? "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the repositories you may see.")

        @Option(help: "Only names containing this.")
        var search: String?
        @Option(help: "Only this owner's.")
        var author: String?
        @Option(help: "model or dataset.")
        var type = "model"
        @Flag(help: "Print JSON.")
        var json = false
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            var items: [URLQueryItem] = []
            if let search { items.append(URLQueryItem(name: "search", value: search)) }
            if let author { items.append(URLQueryItem(name: "author", value: author)) }
            var components = URLComponents()
            components.queryItems = items
            let kind = type.hasSuffix("s") ? type : type + "s"
            let answer = try await connection.send(.GET, "/api/\(kind)" + (items.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")))
            let list = answer as? [[String: Any]] ?? []
            if json { return printJSON(list) }
            Table.print(headers: ["REPOSITORY", "ACCESS", "DOWNLOADS", "UPDATED"], rows: list.map {
                [$0["id"] as? String ?? "", ($0["private"] as? Bool ?? false) ? "private" : (($0["gated"] as? String) != nil ? "gated" : "visible"),
                 String($0["downloads"] as? Int ?? 0), $0["lastModified"] as? String ?? ""]
            })
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a repository: visibility, lineage, branches, history, downloads.")

        @Argument(help: "owner/name.")
        var repository: String
        @Option(help: "model or dataset.")
        var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            printJSON(try await connection.send(.GET, "/api/nuri/repos/" + ServerConnection.repositoryPath(repository, type: type)))
        }
    }

    struct SetVisibility: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "visibility", abstract: "Set who may see a repository (admins of its owner).",
            discussion: "Examples:\n  nuri repo visibility seoul-city/traffic-llm gated\n  nuri repo visibility seoul-city/traffic-llm sectors --sector public --sector academic")

        @Argument(help: "owner/name.")
        var repository: String
        @Argument(help: "public, registered, sectors, gated or private.")
        var visibility: String
        @Option(name: .customLong("sector"), help: "With sectors: a sector that may see it (repeatable).")
        var sectors: [String] = []
        @Option(help: "model or dataset.")
        var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            let answer = try await connection.send(.PUT, "/api/nuri/repos/\(try ServerConnection.repositoryPath(repository, type: type))/visibility",
                                                   body: ["visibility": visibility, "sectors": sectors])
            print("\(repository) is now \((answer as? [String: Any])?["visibility"] as? String ?? visibility).")
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite an organisation to a private repository (or --revoke the invitation).",
            discussion: "Example: nuri repo grant seoul-city/traffic-llm kaist")

        @Argument(help: "owner/name.")
        var repository: String
        @Argument(help: "The organisation whose members may read it.")
        var organisation: String
        @Flag(help: "Withdraw the invitation instead.")
        var revoke = false
        @Option(help: "model or dataset.")
        var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            let path = "/api/nuri/repos/\(try ServerConnection.repositoryPath(repository, type: type))/grants"
            if revoke {
                _ = try await connection.send(.DELETE, path + "/" + organisation)
                print("'\(organisation)' may no longer read \(repository).")
            } else {
                _ = try await connection.send(.POST, path, body: ["org": organisation])
                print("Members of '\(organisation)' may now read \(repository).")
            }
        }
    }
}
