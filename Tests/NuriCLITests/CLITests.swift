import Foundation
import Testing

/// Runs the built `nuri` binary as a user would.
struct NuriBinary {
    /// `.build/<triple>/debug/nuri`, next to the test bundle.
    static var path: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("nuri").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return ".build/debug/nuri"
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Whether the process ended by a signal (a crash), not by exiting.
        let crashed: Bool
        var lastLine: String { stdout.split(separator: "\n").last.map(String.init) ?? "" }
    }

    /// Runs `nuri` and waits for it on a Dispatch thread, not on one of Swift's few cooperative
    /// threads: tests run in parallel, and a blocked cooperative thread stalls every other test's
    /// tasks (timing checks elsewhere then fail for no fault of theirs).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, environment: environment, input: input) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String], input: String?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NURI_") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self),
            crashed: process.terminationReason == .uncaughtSignal)
    }
}

func temporaryDirectory() -> String {
    NSTemporaryDirectory() + "nuri-cli-\(UUID().uuidString)"
}

@Suite("The nuri command")
struct CLITests {
    @Test("every command's --help says what it does and shows its options",
          arguments: [
            (["--help"], ["serve", "admin", "version"]),
            (["serve", "--help"], ["--host", "--port", "--data-dir", "--database", "--print-config", "NURI_DATABASE_URL", "SIGTERM"]),
            (["admin", "--help"], ["init", "org", "user", "token"]),
            (["admin", "init", "--help"], ["last line", "--data-dir", "--exist-ok"]),
            (["admin", "token", "create", "--help"], ["--scopes", "--expires", "--org", "shown only this once"]),
            (["admin", "org", "create", "--help"], ["--sector", "public"]),
            (["admin", "user", "create", "--help"], ["--org", "--role"]),
          ])
    func help(arguments: [String], expected: [String]) async throws {
        let result = try await NuriBinary.run(arguments)
        #expect(result.status == 0)
        for text in expected {
            #expect(result.stdout.contains(text), "`nuri \(arguments.joined(separator: " "))` lacks \(text)")
        }
    }

    @Test("nuri version prints the version")
    func version() async throws {
        let result = try await NuriBinary.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("nuri "))
    }

    @Test("admin init prints the token alone on the last line; a second init refuses, --exist-ok shrugs")
    func adminInit() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await NuriBinary.run(["admin", "init", "--data-dir", dir])
        #expect(first.status == 0)
        #expect(first.lastLine.hasPrefix("nuri_") && first.lastLine.count == 48)
        let second = try await NuriBinary.run(["admin", "init", "--data-dir", dir])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already exists"))
        #expect(!second.stdout.contains("nuri_"))
        let third = try await NuriBinary.run(["admin", "init", "--data-dir", dir, "--exist-ok"])
        #expect(third.status == 0)
        #expect(third.stdout.isEmpty)
    }

    @Test("organisations, users and tokens are managed from the command line, with NURI_DATA_DIR")
    func adminLifecycle() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["NURI_DATA_DIR": dir]
        #expect(try await NuriBinary.run(["admin", "init"], environment: env).status == 0)
        #expect(try await NuriBinary.run(["admin", "org", "create", "seoul-city", "--sector", "public"], environment: env).status == 0)
        #expect(try await NuriBinary.run(["admin", "user", "create", "minji", "--org", "seoul-city", "--role", "admin"], environment: env).status == 0)
        let token = try await NuriBinary.run(["admin", "token", "create", "--user", "minji", "--org", "seoul-city", "--scopes", "read,inference", "--expires", "30d"], environment: env)
        #expect(token.status == 0)
        #expect(token.lastLine.hasPrefix("nuri_"))

        let orgs = try await NuriBinary.run(["admin", "org", "list", "--json"], environment: env)
        let parsed = try JSONSerialization.jsonObject(with: Data(orgs.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["name"] as? String == "seoul-city")
        #expect(parsed?.first?["sector"] as? String == "public")

        let users = try await NuriBinary.run(["admin", "user", "list", "--org", "seoul-city"], environment: env)
        #expect(users.stdout.contains("minji") && users.stdout.contains("seoul-city(admin)"))

        let list = try await NuriBinary.run(["admin", "token", "list", "--user", "minji"], environment: env)
        #expect(list.stdout.contains("active"))
        #expect(!list.stdout.contains(token.lastLine), "listings never show secrets")

        let prefix = String(token.lastLine.prefix(13))
        #expect(try await NuriBinary.run(["admin", "token", "revoke", prefix], environment: env).status == 0)
        #expect(try await NuriBinary.run(["admin", "token", "list", "--user", "minji"], environment: env).stdout.contains("revoked"))
    }

    @Test("bad input exits non-zero with a message that says what to do, never a crash",
          arguments: [
            (["admin", "org", "create", "x", "--sector", "military"], "use one of: public, private, academic, startup"),
            (["admin", "token", "create", "--user", "nobody", "--scopes", "read"], "user 'nobody' does not exist"),
            (["admin", "token", "create", "--user", "operator", "--scopes", "sudo"], "unknown scope 'sudo'"),
            (["admin", "token", "create", "--user", "operator", "--scopes", "read", "--expires", "soon"], "cannot read expiry"),
            (["admin", "user", "create", "bad name"], "invalid user name"),
            (["admin", "org", "list", "--database", "postgres://nuri:hunter2@127.0.0.1:1/nuri"], "cannot reach the database"),
            (["serve", "--database", "postgres://nuri:hunter2@127.0.0.1:1/nuri"], "cannot reach the database"),
            (["serve", "--port", "http"], "port 'http'"),
            (["serve", "--database", "mysql://db/nuri"], "postgres://"),
          ])
    func badInput(arguments: [String], message: String) async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await NuriBinary.run(["admin", "init", "--data-dir", dir])
        let result = try await NuriBinary.run(arguments + (arguments.contains("--database") ? [] : ["--data-dir", dir]))
        #expect(!result.crashed, "nuri crashed: \(result.stderr)")
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test("serve --print-config shows the effective settings with secrets hidden")
    func printConfig() async throws {
        let result = try await NuriBinary.run(
            ["serve", "--print-config", "--port", "9123"],
            environment: ["NURI_DATABASE_URL": "postgres://nuri:hunter2@db/nuri", "NURI_HOST": "0.0.0.0"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("port: \"9123\"  # flag --port"))
        #expect(result.stdout.contains("host: \"0.0.0.0\"  # environment NURI_HOST"))
        #expect(result.stdout.contains("postgres://nuri:***@db/nuri"))
        #expect(!result.stdout.contains("hunter2"))
    }
}
