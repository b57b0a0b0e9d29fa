import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Collects a child process's output as it arrives.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

@Suite("nuri serve, as a real process on a real socket")
struct ServeTests {
    func get(_ url: String, token: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("serve announces its address, answers health, readiness, metrics and the API, and stops on SIGTERM")
    func serveLifecycle() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = try await NuriBinary.run(["admin", "init", "--data-dir", dir]).lastLine

        let process = Process()
        process.executableURL = URL(fileURLWithPath: NuriBinary.path)
        process.arguments = ["serve", "--data-dir", dir, "--port", "0", "--log-format", "json"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NURI_") }
        let out = Pipe(), err = Pipe()
        let stdout = OutputBuffer(), stderr = OutputBuffer()
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Wait for "Nuri is serving at http://127.0.0.1:PORT".
        var base: String?
        for _ in 0..<300 where base == nil {
            if let range = stdout.text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                base = String(stdout.text[range])
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let url = try #require(base, "no address announced; stdout: \(stdout.text) stderr: \(stderr.text)")

        #expect(try await get("\(url)/healthz").0 == 200)
        #expect(try await get("\(url)/readyz").0 == 200)
        #expect(try await get("\(url)/api/orgs").0 == 401)
        let (status, body) = try await get("\(url)/api/orgs", token: token)
        #expect(status == 200)
        #expect(body.contains(#""object":"list""#))
        let metrics = try await get("\(url)/metrics")
        #expect(metrics.1.contains("hb_requests"))

        process.terminate() // SIGTERM
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "stderr: \(stderr.text)")

        // One JSON log line per request, with no token in any of them.
        let requestLines = stderr.text.split(separator: "\n").filter { $0.contains(#""msg":"request""#) }
        #expect(requestLines.count >= 5)
        #expect(requestLines.allSatisfy { $0.hasPrefix("{") && $0.contains(#""status":"#) && $0.contains(#""duration_ms":"#) })
        #expect(!stderr.text.contains(token))
    }
}
