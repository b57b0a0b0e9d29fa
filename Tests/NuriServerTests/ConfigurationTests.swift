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

    @Test("remotes in the config file as a mapping, models with organisations; the printed configuration reads back the same")
    func remotesMapping() throws {
        let file = try writeFile("""
            models:
              smollm2: models/SmolLM2-135M-Instruct.Q4_1.gguf
              private: {path: /srv/models/x.gguf, organisations: [seoul-city, kaist]}
            remotes:
              llama-70b:
                urls: [http://gpu1:8000/v1, http://gpu2:8000/v1]
                model: meta-llama/Llama-3.3-70B-Instruct
                key_env: UPSTREAM_KEY
                jurisdiction: kr
                relationship: entrusted
                organisations: [seoul-city]
              vllm:
                urls: http://gpu3:8000/v1
                jurisdiction: KR
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (configuration, origins) = try ConfigurationResolver(environment: [:], configFile: file).resolve()
        #expect(configuration.models == [
            .init(name: "smollm2", path: "models/SmolLM2-135M-Instruct.Q4_1.gguf"),
            .init(name: "private", path: "/srv/models/x.gguf", organisations: ["seoul-city", "kaist"]),
        ])
        #expect(configuration.remotes == [
            .init(name: "llama-70b", urls: ["http://gpu1:8000/v1", "http://gpu2:8000/v1"], upstreamModel: "meta-llama/Llama-3.3-70B-Instruct",
                  keyEnvironmentVariable: "UPSTREAM_KEY", jurisdiction: "KR", relationship: "entrusted", organisations: ["seoul-city"]),
            .init(name: "vllm", urls: ["http://gpu3:8000/v1"], upstreamModel: "vllm", keyEnvironmentVariable: nil,
                  jurisdiction: "KR", relationship: "third_party"),
        ])
        #expect(origins[.remotes] == .file(file))

        // What --print-config shows is a config file that gives the same settings.
        let printed = try writeFile(configuration.printable(origins: origins))
        defer { try? FileManager.default.removeItem(atPath: printed) }
        let (again, _) = try ConfigurationResolver(environment: [:], configFile: printed).resolve()
        #expect(again.models == configuration.models)
        #expect(again.remotes == configuration.remotes)
    }

    @Test("--model NAME=PATH still works, and ;org= restricts a model; --remote takes org= too")
    func flagSyntax() throws {
        let (configuration, _) = try ConfigurationResolver(
            flags: [.models: "smollm2=models/a.gguf,private=models/b.gguf;org=seoul-city;org=kaist",
                    .remotes: "name=r;url=http://gpu1:8000/v1;jurisdiction=KR;org=naver"],
            environment: [:]).resolve()
        #expect(configuration.models == [.init(name: "smollm2", path: "models/a.gguf"),
                                         .init(name: "private", path: "models/b.gguf", organisations: ["seoul-city", "kaist"])])
        #expect(configuration.remotes.first?.organisations == ["naver"])
        #expect(configuration.remotes.first?.relationship == "third_party")
    }

    @Test("mistakes in models and remotes are refused, naming the model and the key",
          arguments: [
            ("remotes:\n  r:\n    urls: [http://a/v1]\n    jurisdiction: KR\n    api_key: sk-secret\n", "remote 'r': unknown key 'api_key'"),
            ("remotes:\n  r:\n    jurisdiction: KR\n", "remote 'r': urls is missing"),
            ("remotes:\n  r:\n    urls: [ftp://a/v1]\n    jurisdiction: KR\n", "must start with http://"),
            ("remotes:\n  r:\n    urls: [http://a/v1]\n    jurisdiction: KR\n    relationship: friends\n", "in_house, entrusted or third_party"),
            ("remotes:\n  r:\n    urls: [http://a/v1]\n", "jurisdiction"),
            ("remotes:\n  r:\n    urls: [http://a/v1]\n    jurisdiction: KR\n    organisations: [\"../etc\"]\n", "invalid organisation name"),
            ("remotes: [a, b]\n", "as a mapping"),
            ("models:\n  m: {path: a.gguf, orgs: [x]}\n", "model 'm': unknown key 'orgs'"),
            ("models:\n  m: {organisations: [x]}\n", "model 'm': path is missing"),
          ])
    func badModelSettings(yaml: String, expected: String) throws {
        let file = try writeFile(yaml)
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            _ = try ConfigurationResolver(environment: [:], configFile: file).resolve()
            Issue.record("\(yaml) should be refused")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.contains(file), "the message says where: \(error.description)")
            #expect(!error.description.contains("sk-secret"))
        }
    }

    @Test("bad --model and --remote flags say what is accepted", arguments: [
        ([ConfigurationKey.models: "smollm2"], "NAME=PATH.gguf"),
        ([.models: "a=x.gguf;orgs=kaist"], "unknown field 'orgs'"),
        ([.models: "a=x.gguf,a=y.gguf"], "given twice"),
        ([.remotes: "name=r;url=http://a/v1;jurisdiction=KR;organisation=x"], "unknown remote field 'organisation'"),
    ])
    func badModelFlags(flags: [ConfigurationKey: String], expected: String) {
        do {
            _ = try ConfigurationResolver(flags: flags, environment: [:]).resolve()
            Issue.record("\(flags) should be refused")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
