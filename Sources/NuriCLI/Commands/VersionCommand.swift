import ArgumentParser

/// `nuri version`
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of nuri."
    )

    func run() {
        print("nuri \(NuriVersion.current)")
    }
}
