import Foundation
import Logging
import NuriStore
import Yams

/// Merges the settings of `nuri serve`: flags over environment (`NURI_…`) over the config file
/// over defaults. The config file is YAML with the keys of ``ConfigurationKey``; it is named by
/// `--config` or `NURI_CONFIG`.
public struct ConfigurationResolver: Sendable {
    /// Values given as flags, by key (only those the user typed).
    public var flags: [ConfigurationKey: String]
    /// The process environment.
    public var environment: [String: String]
    /// The config file's path, from `--config` (the environment's `NURI_CONFIG` is read too).
    public var configFile: String?

    public init(flags: [ConfigurationKey: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment, configFile: String? = nil) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    /// The effective configuration and where each value came from.
    public func resolve() throws(ConfigurationError) -> (ServerConfiguration, [ConfigurationKey: ConfigurationOrigin]) {
        var raw: [ConfigurationKey: (String, ConfigurationOrigin)] = [:]
        if let path = configFile ?? environment["NURI_CONFIG"], !path.isEmpty {
            for (key, value) in try Self.readFile(path) { raw[key] = (value, .file(path)) }
        }
        for key in ConfigurationKey.allCases {
            if let value = environment[key.environmentVariable], !value.isEmpty {
                raw[key] = (value, .environment(key.environmentVariable))
            }
            if let value = flags[key] { raw[key] = (value, .flag(key.flag)) }
        }
        var configuration = ServerConfiguration()
        var origins: [ConfigurationKey: ConfigurationOrigin] = [:]
        for key in ConfigurationKey.allCases {
            guard let (value, origin) = raw[key] else {
                origins[key] = .defaultValue
                continue
            }
            origins[key] = origin
            try Self.apply(value, to: key, of: &configuration, origin: origin)
        }
        return (configuration, origins)
    }

    static func apply(_ value: String, to key: ConfigurationKey, of configuration: inout ServerConfiguration, origin: ConfigurationOrigin) throws(ConfigurationError) {
        func invalid(_ expected: String) -> ConfigurationError {
            let shown = key.isSecret ? DatabaseLocation.redact(value) : value
            return ConfigurationError("\(key.rawValue) '\(shown)' (from \(origin)) is not valid: \(expected)")
        }
        switch key {
        case .host:
            guard !value.isEmpty, !value.contains(" ") else { throw invalid("give a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0") }
            configuration.host = value
        case .port:
            guard let port = Int(value), (0...65_535).contains(port) else { throw invalid("give a TCP port from 0 to 65535") }
            configuration.port = port
        case .dataDir:
            guard !value.isEmpty else { throw invalid("give a directory path") }
            configuration.dataDirectory = (value as NSString).expandingTildeInPath
        case .database:
            do {
                _ = try DatabaseLocation(url: value)
            } catch {
                throw ConfigurationError("\(key.rawValue) (from \(origin)): \(error)")
            }
            configuration.databaseURL = value
        case .logLevel:
            guard Logger.Level(rawValue: value.lowercased()) != nil else {
                throw invalid("use one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = value.lowercased()
        case .logFormat:
            guard ["text", "json"].contains(value.lowercased()) else { throw invalid("use text or json") }
            configuration.logFormat = value.lowercased()
        case .models:
            var specs: [ServerConfiguration.ModelSpec] = []
            for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw invalid("give each model as NAME=PATH.gguf, e.g. --model smollm2=models/SmolLM2-135M-Instruct.Q4_1.gguf")
                }
                guard !specs.contains(where: { $0.name == parts[0] }) else { throw invalid("the model name '\(parts[0])' is given twice") }
                specs.append(.init(name: parts[0], path: (parts[1] as NSString).expandingTildeInPath))
            }
            configuration.models = specs
        case .remotes:
            var specs: [ServerConfiguration.RemoteSpec] = []
            for item in value.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                var fields: [String: [String]] = [:]
                for part in item.split(separator: ";") {
                    let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard pair.count == 2 else { throw invalid("write each remote as name=NAME;url=URL[;url=URL…][;model=UPSTREAM][;key-env=VAR][;jurisdiction=KR][;relationship=in_house|entrusted|third_party]") }
                    fields[pair[0], default: []].append(pair[1])
                }
                let known: Set = ["name", "url", "model", "key-env", "jurisdiction", "relationship"]
                if let unknown = fields.keys.first(where: { !known.contains($0) }) { throw invalid("unknown remote field '\(unknown)'") }
                guard let name = fields["name"]?.first, let urls = fields["url"], !urls.isEmpty else {
                    throw invalid("a remote needs name=NAME and at least one url=URL")
                }
                for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                    throw invalid("remote '\(name)': url '\(url)' must start with http:// or https://")
                }
                let relationship = fields["relationship"]?.first ?? "third_party"
                guard ["in_house", "entrusted", "third_party"].contains(relationship) else {
                    throw invalid("remote '\(name)': relationship must be in_house, entrusted or third_party")
                }
                let jurisdiction = (fields["jurisdiction"]?.first ?? "").uppercased()
                guard jurisdiction.count == 2 else {
                    throw invalid("remote '\(name)': give jurisdiction=CC, the two-letter country where it processes data")
                }
                specs.append(.init(name: name, urls: urls, upstreamModel: fields["model"]?.first ?? name,
                                   keyEnvironmentVariable: fields["key-env"]?.first, jurisdiction: jurisdiction, relationship: relationship))
            }
            configuration.remotes = specs
        case .threads:
            guard let threads = Int(value), (1...1024).contains(threads) else { throw invalid("give a number of threads from 1") }
            configuration.threads = threads
        case .maxBodySize:
            guard let bytes = ByteSize.parse(value), bytes > 0 else { throw invalid("give a size in bytes, or with a unit: 512KiB, 8MiB, 1GiB") }
            configuration.maxBodySize = bytes
        }
    }

    /// Reads a YAML config file into raw values; unknown keys are an error (a typo would
    /// otherwise be silently ignored).
    static func readFile(_ path: String) throws(ConfigurationError) -> [ConfigurationKey: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("config file \(path) is not valid YAML: \(error)")
        }
        guard let node else { return [:] }
        guard let mapping = node.mapping else {
            throw ConfigurationError("config file \(path) must be a mapping of settings, e.g. `port: 8080`")
        }
        var values: [ConfigurationKey: String] = [:]
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? "\(keyNode)"
            guard let key = ConfigurationKey(rawValue: name) else {
                let known = ConfigurationKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError("config file \(path): unknown setting '\(name)'; known settings: \(known)")
            }
            if key == .models, let mapping = valueNode.mapping {
                values[key] = mapping.map { "\($0.key.string ?? "")=\($0.value.string ?? "")" }.joined(separator: ",")
                continue
            }
            guard let scalar = valueNode.scalar else {
                throw ConfigurationError("config file \(path): '\(name)' must be a single value")
            }
            values[key] = scalar.string
        }
        return values
    }
}

/// Sizes as operators write them: `1048576`, `512KiB`, `8MiB`, `1GiB` (also `KB`, `MB`, `GB`,
/// `k`, `m`, `g`, all binary).
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let count = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Int] = ["": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
                                          "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30]
        guard let multiplier = multipliers[unit] else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
