import Foundation
import NuriCompute
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
        var raw: [ConfigurationKey: (RawSetting, ConfigurationOrigin)] = [:]
        if let path = configFile ?? environment["NURI_CONFIG"], !path.isEmpty {
            for (key, value) in try Self.readFile(path) { raw[key] = (value, .file(path)) }
        }
        for key in ConfigurationKey.allCases {
            if let value = environment[key.environmentVariable], !value.isEmpty {
                raw[key] = (.text(value), .environment(key.environmentVariable))
            }
            if let value = flags[key] { raw[key] = (.text(value), .flag(key.flag)) }
        }
        var configuration = ServerConfiguration()
        var origins: [ConfigurationKey: ConfigurationOrigin] = [:]
        for key in ConfigurationKey.allCases {
            guard let (value, origin) = raw[key] else {
                origins[key] = .defaultValue
                continue
            }
            origins[key] = origin
            switch value {
            case .text(let text):
                try Self.apply(text, to: key, of: &configuration, origin: origin)
            case .node(let node):
                do throws(ModelSettings.Problem) {
                    switch key {
                    case .models: configuration.models = try ModelSettings.models(node: node)
                    case .remotes: configuration.remotes = try ModelSettings.remotes(node: node)
                    default: throw ModelSettings.Problem("must be a single value")
                    }
                } catch {
                    throw ConfigurationError("\(origin): \(key.rawValue): \(error.message)")
                }
            }
        }
        return (configuration, origins)
    }

    /// A setting as read, before it is checked: text (a flag, the environment, a scalar in the
    /// file) or, for `models` and `remotes`, the file's YAML.
    enum RawSetting {
        case text(String)
        case node(Node)
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
        case .computePolicy:
            let path = (value as NSString).expandingTildeInPath
            do {
                configuration.computePolicy = try SchedulingPolicy.load(contentsOf: path)
            } catch {
                throw invalid("the policy file \(path) cannot be used: \(error)")
            }
            configuration.computePolicyPath = path
        case .slurmConf:
            guard !value.isEmpty else { throw invalid("give the path of the cluster's slurm.conf") }
            configuration.slurmConf = (value as NSString).expandingTildeInPath
        case .logLevel:
            guard Logger.Level(rawValue: value.lowercased()) != nil else {
                throw invalid("use one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = value.lowercased()
        case .logFormat:
            guard ["text", "json"].contains(value.lowercased()) else { throw invalid("use text or json") }
            configuration.logFormat = value.lowercased()
        case .models:
            do {
                configuration.models = try ModelSettings.models(text: value)
            } catch {
                throw invalid(error.message)
            }
        case .remotes:
            do {
                configuration.remotes = try ModelSettings.remotes(text: value)
            } catch {
                throw invalid(error.message)
            }
        case .threads:
            guard let threads = Int(value), (1...1024).contains(threads) else { throw invalid("give a number of threads from 1") }
            configuration.threads = threads
        case .maxSequences:
            guard let count = Int(value), (1...1024).contains(count) else { throw invalid("give a number of sequences from 1 to 1024") }
            configuration.maxSequences = count
        case .maxBodySize:
            guard let bytes = ByteSize.parse(value), bytes > 0 else { throw invalid("give a size in bytes, or with a unit: 512KiB, 8MiB, 1GiB") }
            configuration.maxBodySize = bytes
        }
    }

    /// Reads a YAML config file into raw values; unknown keys are an error (a typo would
    /// otherwise be silently ignored).
    static func readFile(_ path: String) throws(ConfigurationError) -> [ConfigurationKey: RawSetting] {
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
        var values: [ConfigurationKey: RawSetting] = [:]
        for (keyNode, valueNode) in mapping {
            let name = keyNode.string ?? "\(keyNode)"
            guard let key = ConfigurationKey(rawValue: name) else {
                let known = ConfigurationKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError("config file \(path): unknown setting '\(name)'; known settings: \(known)")
            }
            if key == .models || key == .remotes {
                values[key] = .node(valueNode)
                continue
            }
            guard let scalar = valueNode.scalar else {
                throw ConfigurationError("config file \(path): '\(name)' must be a single value")
            }
            values[key] = .text(scalar.string)
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
