import ArgumentParser

/// `nuri`: the platform in one binary.
@main
struct Nuri: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nuri",
        abstract: "Nuri: a sovereign AI platform — share models, call them, keep personal data where the law says.",
        discussion: """
            Start a server with `nuri serve`, create the first operator with `nuri admin init`,
            then manage organisations, users and tokens with `nuri admin`. Run a GGUF model
            directly with `nuri run`, `nuri chat`, `nuri tokenize` and `nuri perplexity`.

            Settings come from flags, then NURI_* environment variables, then a YAML config file
            (--config or NURI_CONFIG). State lives in the data directory (default ~/.nuri).
            """,
        version: NuriVersion.current,
        subcommands: [Serve.self, RunCommand.self, ChatCommand.self, TokenizeCommand.self, PerplexityCommand.self, BenchCommand.self,
                      PIICommand.self, ConsentCommand.self, AuditCommand.self, PushCommand.self, PullCommand.self, RepoCommand.self, AccessCommand.self, Admin.self, UsageCommand.self, ComputeCommand.self, VersionCommand.self]
    )
}
