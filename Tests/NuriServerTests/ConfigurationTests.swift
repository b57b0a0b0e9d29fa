import Foundation
import NuriServer
import Testing

@Suite("Configuration: flags over environment over config file over defaults")
struct ConfigurationTests {
    func writeFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "nuri-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("each source overrides the one below it, and the origin of every value is known")
    func precedence() throws {
        let file = try writeFile("port: 7000\nhost: 0.0.0.0\nlog_level: debug\nmax_body_size: 8MiB\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let resolver = ConfigurationResolver(
            flags: [.port: "9000"],
            environment: ["NURI_PORT": "8000", "NURI_LOG_LEVEL": "warning", "HOME": "/home/minji"],
            configFile: file)
        let (configuration, origins) = try resolver.resolve()
        #expect(configuration.port == 9000)
        #expect(origins[.port] == .flag("--port"))
        #expect(configuration.logLevel == "warning")
        #expect(origins[.logLevel] == .environment("NURI_LOG_LEVEL"))
        #expect(configuration.host == "0.0.0.0")
        #expect(origins[.host] == .file(file))
        #expect(configuration.maxBodySize == 8 * 1024 * 1024)
        #expect(configuration.logFormat == "text")
        #expect(origins[.logFormat] == .defaultValue)
    }

    @Test("NURI_CONFIG names the file when --config is not given")
    func configFromEnvironment() throws {
        let file = try writeFile("port: 7001\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (configuration, _) = try ConfigurationResolver(environment: ["NURI_CONFIG": file]).resolve()
        #expect(configuration.port == 7001)
    }

    @Test("bad values say which setting, from where, and what is accepted",
          arguments: [
            ([ConfigurationKey.port: "80a"], "port '80a' (from flag --port)"),
            ([.port: "70000"], "0 to 65535"),
            ([.logLevel: "loud"], "trace, debug"),
            ([.logFormat: "xml"], "text or json"),
            ([.maxBodySize: "lots"], "8MiB"),
            ([.database: "mysql://root:hunter2@db/nuri"], "postgres://"),
          ])
    func badValues(flags: [ConfigurationKey: String], expected: String) {
        do {
            _ = try ConfigurationResolver(flags: flags, environment: [:]).resolve()
            Issue.record("\(flags) should be refused")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test("a config file with an unknown setting is refused, naming it and the known ones")
    func unknownFileKey() throws {
        let file = try writeFile("prot: 8080\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: ConfigurationError.self) { try ConfigurationResolver(environment: [:], configFile: file).resolve() }
        do {
            _ = try ConfigurationResolver(environment: [:], configFile: file).resolve()
        } catch {
            #expect(error.description.contains("unknown setting 'prot'"))
            #expect(error.description.contains("port"))
        }
    }

    @Test("a missing or malformed config file is a clear error")
    func badFiles() throws {
        #expect(throws: ConfigurationError.self) { try ConfigurationResolver(environment: [:], configFile: "/no/such/file.yaml").resolve() }
        let file = try writeFile("port: [8080\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: ConfigurationError.self) { try ConfigurationResolver(environment: [:], configFile: file).resolve() }
    }

    @Test("the printed configuration hides the database password and names each origin")
    func printing() throws {
        let (configuration, origins) = try ConfigurationResolver(
            environment: ["NURI_DATABASE_URL": "postgres://nuri:hunter2@db:5432/nuri", "NURI_DATA_DIR": "/srv/nuri"]
        ).resolve()
        let text = configuration.printable(origins: origins)
        #expect(!text.contains("hunter2"))
        #expect(text.contains("database: \"postgres://nuri:***@db:5432/nuri\"  # environment NURI_DATABASE_URL"))
        #expect(text.contains("data_dir: \"/srv/nuri\"  # environment NURI_DATA_DIR"))
        #expect(text.contains("port: \"8080\"  # default"))
    }
}
