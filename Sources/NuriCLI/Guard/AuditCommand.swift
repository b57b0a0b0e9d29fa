import ArgumentParser
import Foundation
import NuriGuard
import NuriServer

/// `nuri audit …`: check and export the audit chain.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, export and sign the audit chain of personal-data decisions, consents and admin actions.",
        discussion: """
            Records hold types, counts and keyed hashes, never personal values. Each holds the
            keyed hash of the one before; checkpoints sign the chain's head with Ed25519. The keys
            are in the data directory's keys/ folder: back them up, and give inspectors the public key.
            """,
        subcommands: [Verify.self, Export.self, Checkpoint.self, PublicKey.self, Prune.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the chain and its checkpoints; name the first record altered, removed or reordered (exit 1).")

        @Option(name: .customLong("public-key"), help: "Trust checkpoints signed by this key (base64) instead of the installation's.")
        var publicKey: String?
        @Flag(help: "Print the result as JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let result = try await store.withGuard { services, _ in try await services.audit.verify(trustedPublicKey: publicKey) }
            if json {
                try Table.printJSON(result)
            } else if let problem = result.problem {
                print("BROKEN: \(problem.message) (record \(problem.seq), \(problem.kind.rawValue)).")
                print("Checked \(result.records) records before it.")
            } else {
                let range = result.firstSeq.map { "\($0)…\(result.lastSeq ?? $0)" } ?? "none"
                print("OK: \(result.records) records (\(range)), \(result.checkpoints) signed checkpoints, last at \(result.lastCheckpoint.map(String.init) ?? "-").")
            }
            if !result.isIntact { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write records (and their checkpoints) for an inspector, one JSON object per line.",
            discussion: """
                Example:
                  nuri audit export --from 2026-01-01 --to 2027-01-01 > audit-2026.jsonl
                """
        )

        @Option(help: "First day (YYYY-MM-DD, UTC) or Unix seconds; default: the beginning.") var from: String?
        @Option(help: "Day after the last (YYYY-MM-DD, UTC) or Unix seconds; default: now.") var to: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let start = try from.map { try Self.time($0, option: "--from") } ?? 0
            let end = try to.map { try Self.time($0, option: "--to") } ?? Int.max
            guard start < end else { throw CLIError("--from must be before --to") }
            let (records, checkpoints) = try await store.withGuard { services, _ in
                let records = try await services.audit.records(from: start, to: end)
                let checkpoints = try await services.audit.checkpoints(fromSeq: records.first?.seq ?? 1, toSeq: records.last?.seq ?? 0)
                return (records, checkpoints)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for record in records { print(String(decoding: try encoder.encode(record), as: UTF8.self)) }
            for checkpoint in checkpoints {
                print(String(decoding: try encoder.encode(["checkpoint": checkpoint]), as: UTF8.self))
            }
        }

        static func time(_ text: String, option: String) throws -> Int {
            if let seconds = Int(text) { return seconds }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            guard let date = formatter.date(from: text) else { throw CLIError("\(option) must be a date such as 2026-01-31, or Unix seconds") }
            return Int(date.timeIntervalSince1970)
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign the chain's head now (the server also does every 1,000 records).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            if let checkpoint = try await store.withGuard({ services, _ in try await services.audit.checkpoint() }) {
                print("Signed record \(checkpoint.seq) (head \(checkpoint.headHash.prefix(16))…).")
            } else {
                print("The chain is empty: nothing to sign.")
            }
        }
    }

    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "public-key", abstract: "Print the checkpoint signing key's public half (base64).")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            print(try await store.withGuard { services, _ in services.audit.publicKey })
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete records older than the retention period (at least 730 days), up to a checkpoint.")

        @Option(name: .customLong("retention-days"), help: "Keep this many days (at least 730, PIPA's safety standard).") var retentionDays = 730
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let removed = try await store.withGuard { services, _ in try await services.audit.prune(retentionDays: retentionDays) }
            print("Removed \(removed) records older than \(retentionDays) days.")
        }
    }
}
