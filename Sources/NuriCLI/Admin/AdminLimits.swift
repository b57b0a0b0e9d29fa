import ArgumentParser
import NuriGateway
import NuriIdentity

/// `nuri admin limits …`
struct AdminLimits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Set, list and delete request, token and budget limits of organisations and tokens.",
        subcommands: [Set.self, List.self, Delete.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the limits of an organisation or a token (replacing earlier ones).",
            discussion: """
                A request over a limit gets 429 with Retry-After. Omitted limits are unlimited.

                Examples:
                  nuri admin limits set --org startup-a --rpm 60 --tpm 20000 --budget 5000000 --per month
                  nuri admin limits set --token tok_3fZ9… --rpm 10
                """
        )

        @Option(help: "Organisation name.")
        var org: String?

        @Option(help: "Token id (tok_…) or prefix (nuri_…).")
        var token: String?

        @Option(help: "Requests per minute.")
        var rpm: Int?

        @Option(help: "Tokens (prompt + completion) per minute.")
        var tpm: Int?

        @Option(help: "Tokens per period.")
        var budget: Int?

        @Option(help: "The budget's period: day or month.")
        var per: String = "month"

        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard (org == nil) != (token == nil) else { throw CLIError("give exactly one of --org NAME or --token ID") }
            for (name, value) in [("--rpm", rpm), ("--tpm", tpm), ("--budget", budget)] where (value ?? 1) < 1 {
                throw CLIError("\(name) must be at least 1 (omit it for no limit)")
            }
            guard let period = BudgetPeriod(rawValue: per) else { throw CLIError("--per must be day or month") }
            let limits = Limits(requestsPerMinute: rpm, tokensPerMinute: tpm, tokenBudget: budget, period: period)
            let subject = try await store.withDatabase { database in
                let identity = IdentityStore(database: database)
                let subject: LimitSubject
                if let org {
                    subject = .organisation(try await identity.organisation(named: org).id)
                } else {
                    subject = .token(try await identity.token(token ?? "").id)
                }
                try await LimitStore(database: database).set(limits, for: subject)
                return subject
            }
            print("Limits of the \(subject) set: rpm \(rpm.map(String.init) ?? "-"), tpm \(tpm.map(String.init) ?? "-"), budget \(budget.map { "\($0) per \(period.rawValue)" } ?? "-").")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every limit set.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows = try await store.withDatabase { try await LimitStore(database: $0).all() }
            Table.print(
                headers: ["SUBJECT", "RPM", "TPM", "BUDGET"],
                rows: rows.map { subject, limits in
                    [subject, limits.requestsPerMinute.map(String.init) ?? "-", limits.tokensPerMinute.map(String.init) ?? "-",
                     limits.tokenBudget.map { "\($0)/\(limits.period.rawValue)" } ?? "-"]
                })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the limits of an organisation or a token (it becomes unlimited).",
            discussion: """
                Examples:
                  nuri admin limits delete --org startup-a
                  nuri admin limits delete --token tok_3fZ9…
                """
        )

        @Option(help: "Organisation name.")
        var org: String?

        @Option(help: "Token id (tok_…) or prefix (nuri_…).")
        var token: String?

        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard (org == nil) != (token == nil) else { throw CLIError("give exactly one of --org NAME or --token ID") }
            let (subject, existed) = try await store.withDatabase { database in
                let identity = IdentityStore(database: database)
                let subject: LimitSubject
                if let org {
                    subject = .organisation(try await identity.organisation(named: org).id)
                } else {
                    subject = .token(try await identity.token(token ?? "").id)
                }
                return (subject, try await LimitStore(database: database).remove(for: subject))
            }
            print(existed ? "Limits of the \(subject) deleted: it is unlimited now." : "The \(subject) had no limits.")
        }
    }
}
