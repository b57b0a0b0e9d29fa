import Foundation
/// One setting of `nuri serve`: its name in the config file, its environment variable and its
/// command-line flag all derive from this one name, so the three never drift apart.
public enum ConfigurationKey: String, Sendable, CaseIterable {
    case host
    case port
    case dataDir = "data_dir"
    case database
    case logLevel = "log_level"
    case logFormat = "log_format"
    case maxBodySize = "max_body_size"
    /// Models to serve: `name=path.gguf[;org=ORG…]`, comma-separated (repeatable `--model` flag;
    /// a mapping `models: {name: path}` or `{name: {path, organisations}}` in the config file).
    case models
    /// Threads each model's forward pass uses.
    case threads
    /// Sequences each local model decodes together in one continuous batch (more requests wait).
    case maxSequences = "max_sequences"
    /// Remote OpenAI-compatible backends, one spec each (repeatable `--remote`; separated by
    /// `|` in the environment): `name=NAME;url=URL;url=URL2;model=UPSTREAM;key-env=VAR;jurisdiction=KR;relationship=entrusted[;org=ORG…]`;
    /// in the config file a mapping `remotes: {NAME: {urls, model, key_env, jurisdiction, relationship, organisations}}`.
    case remotes
    /// The slurm.conf of the Slurm cluster that enforces the computing centre's allocations and
    /// runs its jobs (unset: allocations are recorded only, and jobs cannot be submitted).
    case slurmConf = "slurm_conf"
    /// A scheduling policy file (the simulator's format): its tier priorities and preemption
    /// rights are what the Slurm QOS get (unset: the default policy).
    case computePolicy = "compute_policy"

    /// `NURI_HOST`, `NURI_DATA_DIR`, … (`database` reads `NURI_DATABASE_URL`, as is usual).
    public var environmentVariable: String {
        self == .database ? "NURI_DATABASE_URL" : "NURI_" + rawValue.uppercased()
    }

    /// `--host`, `--data-dir`, … (`models` is given as repeated `--model`).
    public var flag: String {
        switch self {
        case .models: "--model"
        case .remotes: "--remote"
        default: "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// Whether the value can hold a secret and must be redacted when shown.
    var isSecret: Bool { self == .database }
}

/// Where a setting's effective value came from, for `nuri serve --print-config`.
public enum ConfigurationOrigin: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case file(String)
    case environment(String)
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path): "config file \(path)"
        case .environment(let name): "environment \(name)"
        case .flag(let flag): "flag \(flag)"
        }
    }
}
