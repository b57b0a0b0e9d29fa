import ArgumentParser
import Foundation
import NuriGuard
import NuriIdentity
import NuriServer

/// `nuri consent …`: the consent ledger from the command line (as the operator, on the
/// database directly; organisations use `/api/consents`).
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record, withdraw and list data subjects' consents (PIPA Art. 15, 17, 22, 28-8).",
        discussion: """
            One consent per kind, never bundled: collection_use, third_party_provision,
            overseas_transfer, sensitive, unique_identifier, beyond_purpose. The gateway uses them
            to decide what personal data may reach a third-party or overseas model.
            """,
        subcommands: [Grant.self, Withdraw.self, List.self, Show.self]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a consent a data subject gave an organisation.",
            discussion: """
                Example:
                  nuri consent grant --org seoul-clinic --subject p-17 --kind third_party_provision \\
                    --purpose appointment-summary --items name,phone --recipient gpt-x \\
                    --recipient-purpose "summarise appointments" --retention 1y \\
                    --text-file consent-v3.txt --channel app
                """
        )

        @Option(help: "The controlling organisation.") var org: String
        @Option(help: "The data subject's pseudonymous id (never a name or RRN).") var subject: String
        @Option(help: "collection_use, third_party_provision, overseas_transfer, sensitive, unique_identifier or beyond_purpose.") var kind: String
        @Option(help: "What the data is processed for.") var purpose: String
        @Option(help: "Data items, comma-separated (name,phone,…).") var items: String
        @Option(help: "Who receives the data: an organisation or a model name.") var recipient: String?
        @Option(name: .customLong("recipient-purpose"), help: "What the recipient uses it for.") var recipientPurpose: String?
        @Option(help: "How long the data is kept, as told to the person (e.g. 1y).") var retention: String
        @Option(help: "ISO 3166 code of the destination country (overseas_transfer).") var country: String?
        @Option(name: .customLong("text-file"), help: "The consent text shown to the person; its SHA-256 is recorded.") var textFile: String
        @Option(help: "How consent was obtained: web, app, paper, phone, …") var channel: String
        @Option(name: .customLong("expires-in"), help: "30d, 12h, … (default: no expiry).") var expiresIn: String?
        @Flag(help: "Print the record as JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let text = FileManager.default.contents(atPath: textFile) else {
                throw CLIError("cannot read --text-file \(textFile): give the file holding the consent text shown to the person")
            }
            let hash = ConsentGrant.textHash(of: text)
            let now = Int(Date().timeIntervalSince1970)
            let expiresAt = try expiresIn.flatMap { try TokenLifetime.parse($0) }.map { now + $0 }
            let grant = ConsentGrant(
                subject: subject, kind: try ConsentKind.parse(kind), purpose: purpose,
                dataItems: items.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                recipient: recipient, recipientPurpose: recipientPurpose, retention: retention, overseasCountry: country,
                textHash: hash, channel: channel, expiresAt: expiresAt)
            let consent = try await store.withGuard { services, database in
                let organisation = try await IdentityStore(database: database).organisation(named: org)
                return try await services.ledger.grant(grant, organisationID: organisation.id, actor: "cli:operator")
            }
            if json { try Table.printJSON(consent) } else { print("Recorded consent \(consent.id) (\(consent.kind.rawValue)) of \(consent.subject).") }
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a consent; it stops applying at once.")

        @Argument(help: "The consent id (cns_…).") var id: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let consent = try await store.withGuard { services, _ in
                try await services.ledger.withdraw(id, organisationID: nil, actor: "cli:operator")
            }
            print("Withdrew consent \(consent.id) (\(consent.kind.rawValue)) of \(consent.subject) at \(Table.time(consent.withdrawnAt)).")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an organisation's consents, newest first.")

        @Option(help: "The controlling organisation.") var org: String
        @Option(help: "Only this data subject.") var subject: String?
        @Option(help: "Only this kind.") var kind: String?
        @Flag(help: "Only consents in force now.") var active = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let kind = try kind.map { try ConsentKind.parse($0) }
            let consents = try await store.withGuard { services, database in
                let organisation = try await IdentityStore(database: database).organisation(named: org)
                return try await services.ledger.list(organisationID: organisation.id, subject: subject, kind: kind, activeOnly: active)
            }
            if json { return try Table.printJSON(consents) }
            Table.print(headers: ["ID", "SUBJECT", "KIND", "RECIPIENT", "PURPOSE", "GRANTED", "EXPIRES", "WITHDRAWN"], rows: consents.map {
                [$0.id, $0.subject, $0.kind.rawValue, $0.recipient ?? "-", $0.purpose, Table.time($0.grantedAt), Table.time($0.expiresAt),
                 Table.time($0.withdrawnAt)]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one consent, or a data subject's view: every consent and every recipient of their data.",
            discussion: """
                Examples:
                  nuri consent show cns_3fZ9…
                  nuri consent show --org seoul-clinic --subject p-17
                """
        )

        @Argument(help: "The consent id (cns_…).") var id: String?
        @Option(help: "The controlling organisation (with --subject).") var org: String?
        @Option(help: "A data subject's pseudonymous id.") var subject: String?
        @OptionGroup var store: StoreOptions

        func run() async throws {
            switch (id, org, subject) {
            case (let id?, nil, nil):
                try Table.printJSON(try await store.withGuard { services, _ in try await services.ledger.consent(id) })
            case (nil, let org?, let subject?):
                let view = try await store.withGuard { services, database in
                    let organisation = try await IdentityStore(database: database).organisation(named: org)
                    return try await services.ledger.subjectView(organisationID: organisation.id, subject: subject)
                }
                try Table.printJSON(view)
            default:
                throw CLIError("give a consent id, or --org NAME --subject ID for a data subject's view")
            }
        }
    }
}
