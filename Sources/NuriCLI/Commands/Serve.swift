import ArgumentParser
import Foundation
import Logging
import NuriServer

/// `nuri serve`
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the Nuri HTTP server.",
        discussion: """
            Serves /healthz (liveness), /readyz (database reachable), /metrics (Prometheus) and
            the authenticated API under /api. Stops gracefully on SIGINT or SIGTERM, letting
            requests in flight finish.

            Models given with --model are served through the OpenAI-compatible API under /v1
            (GET /v1/models, POST /v1/chat/completions, POST /v1/completions).

            Each setting can also come from the environment (NURI_HOST, NURI_PORT, NURI_DATA_DIR,
            NURI_DATABASE_URL, NURI_LOG_LEVEL, NURI_LOG_FORMAT, NURI_MAX_BODY_SIZE, NURI_MODELS as
            NAME=PATH,NAME=PATH, NURI_THREADS, NURI_SLURM_CONF) or from a YAML config file with the same names in
            lower case (host, port, data_dir, database, log_level, log_format, max_body_size,
            models as a mapping NAME: PATH, threads, slurm_conf). Flags win over the environment, which wins
            over the file. `--print-config` shows the result and where each value came from.

            Examples:
              nuri serve --model smollm2=models/SmolLM2-135M-Instruct.Q4_1.gguf
              nuri serve --host 0.0.0.0 --port 8080 --data-dir /var/lib/nuri
              nuri serve --database postgres://nuri:secret@db.internal:5432/nuri
              nuri serve --config /etc/nuri/config.yaml --print-config
            """
    )

    @Option(help: "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface).")
    var host: String?

    @Option(help: "TCP port (default 8080; 0 picks a free one).")
    var port: String?

    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database and blobs (default ~/.nuri).")
    var dataDir: String?

    @Option(help: "PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]) instead of SQLite.")
    var database: String?

    @Option(help: "YAML config file (also NURI_CONFIG).")
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default info).")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text or json (default text).")
    var logFormat: String?

    @Option(name: .customLong("max-body-size"), help: "Largest JSON request body, e.g. 2MiB (default).")
    var maxBodySize: String?

    @Option(name: .customLong("model"), help: "Serve a GGUF model as NAME=PATH (repeatable), e.g. smollm2=models/SmolLM2-135M-Instruct.Q4_1.gguf.")
    var models: [String] = []

    @Option(name: .customLong("remote"), help: "Serve a model of another OpenAI-compatible server (repeatable): name=NAME;url=URL[;url=URL…];model=UPSTREAM;key-env=VAR;jurisdiction=KR;relationship=in_house|entrusted|third_party.")
    var remotes: [String] = []

    @Option(help: "Threads per forward pass (default: all cores).")
    var threads: String?

    @Option(name: .customLong("max-sequences"), help: "Sequences each local model decodes together in one batch; more requests wait (default 32).")
    var maxSequences: String?
    @Option(name: .customLong("slurm-conf"), help: "The slurm.conf of the Slurm cluster that enforces allocations and runs jobs (/api/compute).")
    var slurmConf: String?

    @Option(name: .customLong("compute-policy"), help: "A scheduling policy file (as `nuri compute simulate --policy` reads): the tier priorities and preemption rights the Slurm QOS get.")
    var computePolicy: String?

    @Flag(name: .customLong("print-config"), help: "Print the effective configuration (secrets redacted) and exit.")
    var printConfig = false

    func run() async throws {
        var flags: [ConfigurationKey: String] = [:]
        flags[.host] = host
        flags[.port] = port
        flags[.dataDir] = dataDir
        flags[.database] = database
        flags[.logLevel] = logLevel
        flags[.logFormat] = logFormat
        flags[.maxBodySize] = maxBodySize
        flags[.models] = models.isEmpty ? nil : models.joined(separator: ",")
        flags[.threads] = threads
        flags[.maxSequences] = maxSequences
        flags[.slurmConf] = slurmConf
        flags[.computePolicy] = computePolicy
        flags[.remotes] = remotes.isEmpty ? nil : remotes.joined(separator: "|")
        let (configuration, origins) = try ConfigurationResolver(flags: flags, configFile: config).resolve()
        if printConfig {
            print(configuration.printable(origins: origins))
            return
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LogFormat(rawValue: configuration.logFormat)?.bootstrap(level: level)
        var logger = Logger(label: "nuri")
        logger.logLevel = level
        try await Server.run(configuration: configuration, logger: logger) { message in
            FileHandle.standardOutput.write(Data((message + "\n").utf8))
        }
    }
}
