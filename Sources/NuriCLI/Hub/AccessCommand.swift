import ArgumentParser
import Foundation
import NIOHTTP1

/// `nuri access …`
struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Ask for a gated repository's files, and decide such requests.",
        discussion: """
            A gated repository shows its card to everyone; its files go to the owner's members and
            to users whose request an admin of the owner approved. Every decision is recorded.

            Examples:
              nuri access request seoul-city/traffic-llm --reason "evaluation for the bus agency"
              nuri access list seoul-city/traffic-llm --status pending
              nuri access approve seoul-city/traffic-llm jisoo
              nuri access deny seoul-city/traffic-llm minho --note "commercial use is not allowed"
            """,
        subcommands: [Request.self, List.self, Approve.self, Deny.self]
    )

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask for access, saying why.")
        @Argument(help: "owner/name.") var repository: String
        @Option(help: "Why you need it (shown to the owner's admins).") var reason: String
        @Option(help: "model or dataset.") var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            let answer = try await connection.send(.POST, "/api/nuri/repos/\(try ServerConnection.repositoryPath(repository, type: type))/access-requests",
                                                   body: ["reason": reason])
            print("Access to \(repository): \((answer as? [String: Any])?["status"] as? String ?? "pending").")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a repository's access requests (admins of its owner).")
        @Argument(help: "owner/name.") var repository: String
        @Option(help: "pending, accepted or rejected.") var status: String?
        @Option(help: "model or dataset.") var type = "model"
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            let query = status.map { "?status=\($0)" } ?? ""
            let answer = try await connection.send(.GET, "/api/nuri/repos/\(try ServerConnection.repositoryPath(repository, type: type))/access-requests" + query)
            let data = (answer as? [String: Any])?["data"] as? [[String: Any]] ?? []
            if json { return printJSON(data) }
            Table.print(headers: ["USER", "STATUS", "REASON", "DECIDED BY"], rows: data.map {
                [$0["user"] as? String ?? "", $0["status"] as? String ?? "", $0["reason"] as? String ?? "", $0["decided_by"] as? String ?? "-"]
            })
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a user's access (admins of the owner).")
        @Argument(help: "owner/name.") var repository: String
        @Argument(help: "The user.") var user: String
        @Option(help: "A note kept with the decision.") var note: String?
        @Option(help: "model or dataset.") var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            try await AccessCommand.decide(repository, user, "accepted", note, type, connection)
            print("\(user) may now download \(repository).")
        }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deny a user's access (admins of the owner).")
        @Argument(help: "owner/name.") var repository: String
        @Argument(help: "The user.") var user: String
        @Option(help: "Why (kept with the decision).") var note: String?
        @Option(help: "model or dataset.") var type = "model"
        @OptionGroup var connection: ServerConnection

        func run() async throws {
            try await AccessCommand.decide(repository, user, "rejected", note, type, connection)
            print("\(user)'s request for \(repository) is denied.")
        }
    }

    static func decide(_ repository: String, _ user: String, _ status: String, _ note: String?, _ type: String, _ connection: ServerConnection) async throws {
        var body: [String: Any] = ["status": status]
        if let note { body["note"] = note }
        _ = try await connection.send(.POST, "/api/nuri/repos/\(try ServerConnection.repositoryPath(repository, type: type))/access-requests/\(user)", body: body)
    }
}
