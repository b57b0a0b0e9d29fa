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
                return "models:  # \(origin)\n" + models.map { "  \($0.name): \"\($0.path)\"" }.joined(separator: "\n")
            case .threads: value = String(threads)
            case .remotes:
                guard !remotes.isEmpty else { return "# remotes: none" }
                return "remotes: \"" + remotes.map { remote in
                    (["name=\(remote.name)"] + remote.urls.map { "url=\($0)" }
                     + ["model=\(remote.upstreamModel)", "jurisdiction=\(remote.jurisdiction)", "relationship=\(remote.relationship)"]
                     + (remote.keyEnvironmentVariable.map { ["key-env=\($0)"] } ?? [])).joined(separator: ";")
                }.joined(separator: "|") + "\"  # \(origin)"
            }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\(key.rawValue): \"\(escaped)\"  # \(origin)"
        }.joined(separator: "\n")
    }
}
