import Foundation
import NuriCompute
import NuriStore

/// The settings of `nuri serve`, after flags, environment and the config file are merged.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to listen on. Loopback by default: exposing Nuri is a deliberate choice.
    public var host = "127.0.0.1"
    /// TCP port.
    public var port = 8080
    /// Holds the SQLite file and, later, blobs and models.
    public var dataDirectory = ServerConfiguration.defaultDataDirectory
    /// A `postgres://…` URL; nil means the SQLite file in ``dataDirectory``.
    public var databaseURL: String?
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel = "info"
    /// `text` (one readable line per event) or `json` (one JSON object per line).
    public var logFormat = "text"
    /// Largest request body accepted on JSON routes, in bytes.
    public var maxBodySize = 2 * 1024 * 1024
    /// Models served by the engine in this process, by the name clients use.
    public var models: [ModelSpec] = []
    /// Threads per forward pass (default: the machine's cores).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Sequences per local model's continuous batch.
    public var maxSequences = 32

    /// Models served by other OpenAI-compatible servers.
    public var remotes: [RemoteSpec] = []

    /// The slurm.conf of the cluster Nuri drives for `/api/compute` (nil: no cluster).
    public var slurmConf: String?
    /// The policy file named by `compute_policy`, and the policy read from it.
    public var computePolicyPath: String?
    public var computePolicy = SchedulingPolicy()

    /// How the compute module reaches Slurm, if a cluster is configured.
    public var slurmSettings: SlurmDriver.Settings? {
        slurmConf.map { SlurmDriver.Settings(slurmConf: $0, policy: computePolicy) }
    }

    /// A remote model: its name here, its replicas, its name upstream, where its key is, its
    /// labels for the data-protection policy and who may use it.
    public struct RemoteSpec: Sendable, Equatable {
        public let name: String
        public let urls: [String]
        public let upstreamModel: String
        /// The environment variable holding the upstream API key (the key itself is never
        /// written in configuration).
        public let keyEnvironmentVariable: String?
        public let jurisdiction: String
        public let relationship: String
        /// The organisations (by name) whose members may use it; nil: every caller with the
        /// `inference` scope.
        public let organisations: [String]?

        public init(name: String, urls: [String], upstreamModel: String, keyEnvironmentVariable: String?, jurisdiction: String,
                    relationship: String, organisations: [String]? = nil) {
            self.name = name
            self.urls = urls
            self.upstreamModel = upstreamModel
            self.keyEnvironmentVariable = keyEnvironmentVariable
            self.jurisdiction = jurisdiction
            self.relationship = relationship
            self.organisations = organisations
        }
    }

    /// A model to serve: the name clients use, the GGUF file and who may use it.
    public struct ModelSpec: Sendable, Equatable {
        public let name: String
        public let path: String
        /// The organisations (by name) whose members may use it; nil: every caller with the
        /// `inference` scope.
        public let organisations: [String]?

        public init(name: String, path: String, organisations: [String]? = nil) {
            self.name = name
            self.path = path
            self.organisations = organisations
        }
    }

    public init() {}

    /// `~/.nuri`, or `./.nuri` when there is no home directory.
    public static var defaultDataDirectory: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            return (home as NSString).appendingPathComponent(".nuri")
        }
        return ".nuri"
    }

    /// Where the database is, from ``databaseURL`` or the data directory.
    public func databaseLocation() throws -> DatabaseLocation {
        if let databaseURL { return try DatabaseLocation(url: databaseURL) }
        return .sqlite(inDataDirectory: dataDirectory)
    }
}
