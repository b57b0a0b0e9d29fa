import ArgumentParser
import Foundation
import NuriIdentity
import NuriStore

/// `nuri admin init`
struct AdminInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the platform operator and print its first token.",
        discussion: """
            Creates the data directory and database if needed, the operator account, and a token
            with every scope and no expiry. The token is printed alone on the last line of
            standard output, so a script can capture it:

              export NURI_TOKEN=$(nuri admin init | tail -n 1)

            The token is shown only this once; Nuri stores only its hash. Running init again is an
            error (or, with --exist-ok, a quiet success that prints no token).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The operator's user name.")
    var name = "operator"

    @Flag(name: .customLong("exist-ok"), help: "Succeed without doing anything if an operator already exists.")
    var existOK = false

    func run() async throws {
        try await store.withDatabase { database in
            let identity = IdentityStore(database: database)
            do {
                let (user, issued) = try await identity.initialise(operatorName: name)
                print("Created operator '\(user.name)' in \(database.redactedLocation).")
                print("Its token has every scope (\(Scope.allCases.map(\.rawValue).joined(separator: ","))) and does not expire; store it now, it is not shown again:")
                print(issued.secret.value)
            } catch IdentityError.alreadyExists(_, let existing) where existOK {
                FileHandle.standardError.write(Data("nuri: operator '\(existing)' already exists in \(database.redactedLocation); nothing to do.\n".utf8))
            } catch IdentityError.alreadyExists(_, let existing) {
                throw CLIError("operator '\(existing)' already exists in \(database.redactedLocation). For a new token run: nuri admin token create --user \(existing) --scopes read,write,inference,admin")
            }
        }
    }
}
