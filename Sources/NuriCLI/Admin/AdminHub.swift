import ArgumentParser
import Foundation
import NuriHub
import NuriIdentity
import NuriServer
import NuriStore

/// `nuri admin hub …`: the hub's store, directly (server running or not).
struct AdminHub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Import files into the local hub as the operator; verify the blob store.",
        subcommands: [Import.self, Verify.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy local files into a hub repository (created if needed) as one commit.",
            discussion: """
                The files become large (LFS) files of the repository, so the gateway can serve a
                GGUF from the blob store: nuri serve --model smollm2=hub:operator/smollm2-135m-instruct
                Running it again with the same files changes nothing.

                Example: nuri admin hub import models/SmolLM2-135M-Instruct.Q4_1.gguf --repo operator/smollm2-135m-instruct
                """
        )

        @Argument(help: "Files to import (each lands at the repository's root under its own name).")
        var files: [String]
        @Option(help: "owner/name; the owner is an organisation or a user.")
        var repo: String
        @Option(help: "Visibility if the repository is created: public, registered, sectors, gated, private.")
        var visibility = "public"
        @Option(help: "The commit message.")
        var message = "Import with nuri admin hub import"
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let id = try RepositoryID(parsing: repo)
            let visibility = try Visibility.parse(visibility)
            let entries = try files.map { (path: try RepositoryPath(($0 as NSString).lastPathComponent), source: $0) }
            let dataDirectory = try store.dataDirectory()
            let commit = try await store.withDatabase { database in
                let caller = try await AdminHub.operatorCaller(database)
                return try await HubStore(database: database, dataDirectory: dataDirectory)
                    .importFiles(entries, into: id, visibility: visibility, message: message, caller: caller)
            }
            if let commit {
                print("Imported \(files.count) file(s) into \(id): commit \(commit.id)")
            } else {
                print("\(id) already holds these files.")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every recorded blob is on disk intact and every commit's files exist.",
            discussion: "Exits with status 1 and lists the problems if any. --rehash reads every blob again (slow for large stores).")

        @Flag(help: "Recompute every blob's SHA-256 (not just its size).")
        var rehash = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let dataDirectory = try store.dataDirectory()
            let result = try await store.withDatabase { database in
                try await HubStore(database: database, dataDirectory: dataDirectory).verify(rehash: rehash)
            }
            for problem in result.problems { print("problem: \(problem)") }
            print("\(result.blobs) blobs, \(result.entries) tree entries, \(result.problems.count) problem(s)")
            if !result.problems.isEmpty { throw ExitCode(1) }
        }
    }

    /// The operator, acting through no stored token (these commands already have the database).
    static func operatorCaller(_ database: Database) async throws -> HubCaller {
        let identity = IdentityStore(database: database)
        guard let user = try await identity.users().first(where: \.isOperator) else {
            throw CLIError("no operator yet: run `nuri admin init` first")
        }
        let token = APIToken(id: "tok_admin_cli", userID: user.id, organisationID: nil, name: "nuri admin", prefix: "", scopes: Scope.allCases,
                             createdAt: 0, expiresAt: nil, lastUsedAt: nil, revokedAt: nil)
        return HubCaller(principal: Principal(user: user, token: token, memberships: try await identity.memberships(ofUser: user.id)))
    }
}

extension StoreOptions {
    /// The data directory the server would use with these options (for the blob store).
    func dataDirectory() throws -> String {
        try configuration().dataDirectory
    }
}
