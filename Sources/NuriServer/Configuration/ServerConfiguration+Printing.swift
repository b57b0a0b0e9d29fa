import Foundation
import NuriStore

extension ServerConfiguration {
    /// The configuration as YAML that `--config` accepts, each line commented with its origin;
    /// the database password is replaced by `***`.
    public func printable(origins: [ConfigurationKey: ConfigurationOrigin]) -> String {
        ConfigurationKey.allCases.map { key in
            let origin = origins[key] ?? .defaultValue
            let value: String
            switch key {
            case .host: value = host
            case .port: value = String(port)
            case .dataDir: value = dataDirectory
            case .database:
                guard let databaseURL else {
                    let sqlite = DatabaseLocation.sqlite(inDataDirectory: dataDirectory).redactedDescription
                    return "# database: not set, so SQLite at \(sqlite)"
                }
                value = DatabaseLocation.redact(databaseURL)
            case .logLevel: value = logLevel
            case .logFormat: value = logFormat
            case .maxBodySize: value = String(maxBodySize)
            case .models:
                guard !models.isEmpty else { return "# models: none" }
                return "models:  # \(origin)\n" + models.map { model in
                    guard let organisations = model.organisations else { return "  \(Self.quoted(model.name)): \(Self.quoted(model.path))" }
                    return "  \(Self.quoted(model.name)): {path: \(Self.quoted(model.path)), organisations: \(Self.list(organisations))}"
                }.joined(separator: "\n")
            case .threads: value = String(threads)
            case .maxSequences: value = String(maxSequences)
            case .computePolicy:
                guard let computePolicyPath else { return "# compute_policy: not set, so the default scheduling policy" }
                value = computePolicyPath
            case .slurmConf:
                guard let slurmConf else { return "# slurm_conf: not set, so no Slurm cluster (allocations are recorded only)" }
                value = slurmConf
            case .remotes:
                guard !remotes.isEmpty else { return "# remotes: none" }
                return "remotes:  # \(origin)\n" + remotes.map { remote in
                    var lines = ["  \(Self.quoted(remote.name)):", "    urls: \(Self.list(remote.urls))", "    model: \(Self.quoted(remote.upstreamModel))"]
                    if let variable = remote.keyEnvironmentVariable { lines.append("    key_env: \(Self.quoted(variable))") }
                    lines.append("    jurisdiction: \(Self.quoted(remote.jurisdiction))")
                    lines.append("    relationship: \(Self.quoted(remote.relationship))")
                    if let organisations = remote.organisations { lines.append("    organisations: \(Self.list(organisations))") }
                    return lines.joined(separator: "\n")
                }.joined(separator: "\n")
            }
            return "\(key.rawValue): \(Self.quoted(value))  # \(origin)"
        }.joined(separator: "\n")
    }

    /// A YAML double-quoted string.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A YAML flow list of double-quoted strings.
    static func list(_ values: [String]) -> String {
        "[" + values.map(quoted).joined(separator: ", ") + "]"
    }
}
