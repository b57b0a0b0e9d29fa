import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import NuriCompute
import NuriGateway
import NuriIdentity
import NuriStore

/// `nuri serve`: opens the database, brings its schema up to date, serves HTTP until SIGINT or
/// SIGTERM, lets in-flight requests finish, then closes the database.
public enum Server {
    /// Runs the server. `announce` receives the lines telling the user where to point a client,
    /// once the socket is listening.
    public static func run(configuration: ServerConfiguration, logger: Logger, announce: @escaping @Sendable (String) -> Void) async throws {
        NIOSingletons.groupLoopCountSuggestion = usableCPUs()
        _ = tasksOnEventLoops
        let location = try configuration.databaseLocation()
        // `hub:owner/name[@rev]` models are read from the blob store, so the database opens first.
        let database = try await Database.openMigrated(location, logger: logger)
        let gateway: Gateway
        do {
            let models = try await HubModelSource.resolve(configuration.models, database: database, dataDirectory: configuration.dataDirectory, logger: logger)
            gateway = try loadModels(models, remotes: configuration.remotes, threads: configuration.threads,
                                     maxSequences: configuration.maxSequences, logger: logger)
        } catch {
            try? await database.close()
            throw error
        }
        let healthChecks = gateway.backends.values.compactMap { backend -> Task<Void, Never>? in
            guard case .remote(let remote) = backend else { return nil }
            return Task { await remote.checkHealth() }
        }
        defer { healthChecks.forEach { $0.cancel() } }
        let identity = IdentityStore(database: database)
        let hasOperator = (try? await identity.users().contains(where: \.isOperator)) ?? false
        await warnAboutUnknownOrganisations(configuration, identity: identity, logger: logger)
        let dataDirectory = configuration.dataDirectory
        let guardServices: GuardServices
        do {
            guardServices = try GuardServices.open(database: database, configuration: configuration)
        } catch {
            try? await database.close()
            throw error
        }
        let recorder = NuriApplication.usageRecorder(database: database)
        let app = NuriApplication.application(configuration: configuration, database: database, gateway: gateway,
                                              guardServices: guardServices, logger: logger, usageRecorder: recorder) { port in
            let base = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(port)"
            var lines = [
                "Nuri is serving at \(base) (database: \(database.redactedLocation))",
                "  health:  curl \(base)/healthz",
                "  API:     curl -H \"Authorization: Bearer $NURI_TOKEN\" \(base)/api/orgs",
                gateway.modelNames.isEmpty
                    ? "  No models served: add --model NAME=PATH.gguf"
                    : "  OpenAI:  base_url=\(base)/v1  api_key=$NURI_TOKEN  models: \(gateway.modelNames.joined(separator: ", "))",
            ]
            if !hasOperator {
                lines.append("  No operator yet: run `nuri admin init --data-dir \(dataDirectory)` to create one and print its token.")
            }
            announce(lines.joined(separator: "\n"))
        }
        let computeSync = configuration.slurmSettings.map { startComputeSync(database: database, slurm: $0, logger: logger) }
        defer { computeSync?.cancel() }
        do {
            try await app.runService()
        } catch {
            computeSync?.cancel()
            await recorder.flush()
            try? await database.close()
            throw error
        }
        // Requests in flight have finished: write what they metered, then close.
        computeSync?.cancel()
        await recorder.flush()
        try await database.close()
    }

    /// With a Slurm cluster configured, takes Slurm's view of the jobs submitted through Nuri
    /// every minute (state, reason, GPU use charged to allocations) and expires ended
    /// allocations, so burn-downs follow jobs as they run without anyone asking.
    static func startComputeSync(database: Database, slurm: SlurmDriver.Settings, logger: Logger, every seconds: Int = 60) -> Task<Void, Never> {
        let centre = ComputeCentre(database: database, slurm: SlurmDriver(settings: slurm))
        return Task {
            while !Task.isCancelled {
                do {
                    let summary = try await centre.sync()
                    if summary.chargedGPUSeconds > 0 || !summary.expired.isEmpty {
                        logger.info("compute sync", metadata: ["jobs": "\(summary.jobs.count)", "charged_gpu_seconds": "\(summary.chargedGPUSeconds)",
                                                               "expired": "\(summary.expired.count)"])
                    }
                } catch {
                    logger.warning("compute sync failed; retrying in a minute", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(seconds))
            }
        }
    }

    /// Swift tasks run on the NIO event loops that do the server's I/O instead of a pool of their
    /// own, so a request is not handed between threads at every `await` (each hand-over is a
    /// context switch; on a loaded machine, a wait for the scheduler). Done once per process,
    /// before the server starts; blocking work stays off these threads (models on their own
    /// queues, SQLite on NIO's thread pool). See docs/BENCHMARKS.md for what it changed.
    static let tasksOnEventLoops: Bool = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

    /// The CPUs this process may run on (its affinity: `taskset`, a container's cpuset), so that
    /// it runs one event loop per CPU it has rather than per CPU of the machine (two loops on one
    /// CPU hand every request between two threads).
    static func usableCPUs() -> Int {
        let fallback = ProcessInfo.processInfo.activeProcessorCount
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return fallback }
        var count = 0
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first else { return fallback }
            count += (bounds.last ?? first) - first + 1
        }
        return count > 0 ? min(count, fallback) : fallback
    }

    /// A model restricted to an organisation that does not exist (yet) is usable by operators
    /// only until it is created: say so at start-up, since a typo would otherwise go unnoticed.
    static func warnAboutUnknownOrganisations(_ configuration: ServerConfiguration, identity: IdentityStore, logger: Logger) async {
        let restricted = configuration.models.map { ($0.name, $0.organisations ?? []) } + configuration.remotes.map { ($0.name, $0.organisations ?? []) }
        guard restricted.contains(where: { !$0.1.isEmpty }), let existing = try? await identity.organisations() else { return }
        let names = Set(existing.map { $0.name.lowercased() })
        for (model, organisations) in restricted {
            for organisation in organisations where !names.contains(organisation.lowercased()) {
                logger.warning("model restricted to an organisation that does not exist",
                               metadata: ["model": .string(model), "organisation": .string(organisation)])
            }
        }
    }

    /// Loads every configured model before the server starts, so a bad path fails at once.
    static func loadModels(_ specs: [ServerConfiguration.ModelSpec], remotes: [ServerConfiguration.RemoteSpec], threads: Int,
                           maxSequences: Int = 32, logger: Logger) throws -> Gateway {
        var backends: [LocalBackend] = []
        for spec in specs {
            guard FileManager.default.fileExists(atPath: spec.path) else {
                throw ConfigurationError("model '\(spec.name)': no file at \(spec.path) (fetch the default models with `make models`)")
            }
            do {
                backends.append(try LocalBackend(name: spec.name, path: spec.path, threads: threads, maxSequences: maxSequences))
            } catch {
                throw ConfigurationError("model '\(spec.name)' (\(spec.path)) cannot be loaded: \(error)")
            }
            logger.info("model loaded", metadata: ["model": .string(spec.name), "path": .string(spec.path)])
        }
        var remoteBackends: [RemoteBackend] = []
        for remote in remotes {
            guard !specs.contains(where: { $0.name == remote.name }) else {
                throw ConfigurationError("the model name '\(remote.name)' is used by a local model and a remote one")
            }
            var key: String?
            if let variable = remote.keyEnvironmentVariable {
                guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                    throw ConfigurationError("remote '\(remote.name)': the environment variable \(variable) holding its key is not set")
                }
                guard value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                    throw ConfigurationError("remote '\(remote.name)': the key in \(variable) has spaces, line breaks or non-ASCII characters; an API key is one word of printable ASCII")
                }
                key = value
            }
            remoteBackends.append(RemoteBackend(
                name: remote.name, upstreamModel: remote.upstreamModel, replicas: remote.urls, apiKey: key,
                labels: BackendLabels(jurisdiction: remote.jurisdiction,
                                      relationship: BackendLabels.Relationship(rawValue: remote.relationship) ?? .thirdParty)))
            logger.info("remote model", metadata: ["model": .string(remote.name), "replicas": .stringConvertible(remote.urls.count)])
        }
        var access: [String: ModelAccess] = [:]
        for spec in specs { access[spec.name] = ModelAccess(organisations: spec.organisations) }
        for remote in remotes { access[remote.name] = ModelAccess(organisations: remote.organisations) }
        return Gateway(backends: backends, remotes: remoteBackends, access: access)
    }
}
