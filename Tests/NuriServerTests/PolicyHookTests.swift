import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Logging
import NuriGateway
import NuriIdentity
import NuriServer
import NuriStore
import NuriTestSupport
import Testing

/// A stand-in for the guard: blocks requests mentioning a secret, masks a word on the way in and
/// another on the way out, and remembers what it saw.
final class RecordingPolicy: RequestPolicy, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [PolicyInput] = []
    var inputs: [PolicyInput] { lock.withLock { seen } }

    func inspect(_ input: PolicyInput) async throws -> PolicyVerdict {
        lock.withLock { seen.append(input) }
        if input.texts.contains(where: { $0.contains("900101-1234567") }) {
            return PolicyVerdict(.block(code: "pii_blocked", message: "a resident registration number may not leave"))
        }
        return PolicyVerdict(.replace(input.texts.map { $0.replacingOccurrences(of: "Korea", with: "South Korea") }), output: CityMask())
    }
}

/// The model `make models` fetches.
let smolLM2Path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path

@Suite("The gateway's policy hook", .enabled(if: FileManager.default.fileExists(atPath: smolLM2Path), "run `make models`"))
struct PolicyHookTests {
    @Test("requests pass the hook before the backend and answers after it; a block is a 403 with the policy's code")
    func hook() async throws {
        let policy = RecordingPolicy()
        let backend = try LocalBackend(name: "smollm2", path: smolLM2Path, threads: 2, contextLength: 512)
        try await TestDatabase.with(.sqlite) { database, _ in
            let identity = IdentityStore(database: database)
            let (_, token) = try await identity.initialise()
            var logger = Logger(label: "test")
            logger.logLevel = .error
            let router = NuriApplication.router(configuration: ServerConfiguration(), database: database,
                                                gateway: Gateway(backends: [backend]), policy: policy)
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in
                var headers = HTTPFields.bearer(token.secret.value)
                if let name = HTTPField.Name("X-Nuri-Data-Subject") { headers[name] = "subject-17" }
                let body = #"{"model":"smollm2","temperature":0,"max_tokens":20,"messages":[{"role":"user","content":"What is the capital of Korea?"}]}"#
                let answer = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(answer.status == .ok)
                let text = String(buffer: answer.body)
                #expect(text.contains("[CITY]") && !text.contains("Seoul"), "\(text)")
                let input = try #require(policy.inputs.last)
                #expect(input.texts == ["What is the capital of Korea?"])
                #expect(input.dataSubject == "subject-17" && input.backend == .local && input.model == "smollm2")
                // Log probabilities name their tokens: they must not show what the filter masked.
                for stream in [false, true] {
                    let asked = #"{"model":"smollm2","temperature":0,"max_tokens":20,"logprobs":true,"stream":\#(stream),"messages":[{"role":"user","content":"What is the capital of Korea?"}]}"#
                    let answer = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: asked))
                    let text = String(buffer: answer.body)
                    #expect(text.contains("[CITY]") && !text.contains("Seoul") && !text.contains("Seo"), "\(text)")
                    // A stream keeps the entries of the text that went out unchanged.
                    #expect(text.contains(#""logprob""#) == stream, "\(text)")
                }
                let blocked = #"{"model":"smollm2","messages":[{"role":"user","content":"My number is 900101-1234567"}]}"#
                let refusal = try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: blocked))
                #expect(refusal.status == .forbidden)
                #expect(try refusal.errorBody().code == "pii_blocked")
            }
        }
    }
}
