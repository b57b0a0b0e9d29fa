import Foundation
import Testing

/// The models `make models` fetches (never committed).
enum CLIModels {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var smolLM2: String? {
        let path = root.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}

@Suite("nuri run, chat, tokenize and perplexity", .enabled(if: CLIModels.smolLM2 != nil, "run `make models`"))
struct EngineCommandTests {
    var model: String { CLIModels.smolLM2 ?? "" }

    @Test("nuri run answers with llama.cpp's greedy continuation")
    func run() async throws {
        let result = try await NuriBinary.run(["run", model, "The capital of South Korea is", "-n", "32"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == " Seoul.\n\nThe United States has a population of approximately 311 million people.\n\nThe United States has a population of approximately 31\n")
    }

    @Test("nuri tokenize prints llama.cpp's ids, Korean included")
    func tokenize() async throws {
        let result = try await NuriBinary.run(["tokenize", model, "Hello, world!"])
        #expect(result.stdout == "[19556, 28, 905, 17]\n")
        let korean = try await NuriBinary.run(["tokenize", model, "대한민국의 수도는 서울입니다."])
        #expect(korean.stdout.hasPrefix("[182, 230, 218, 33085, 246,"))
    }

    @Test("nuri chat keeps the conversation across turns")
    func chat() async throws {
        let input = "What is the capital of South Korea?\nAnd what is the capital of Japan?\n"
        let result = try await NuriBinary.run(["chat", model, "--temp", "0", "-n", "40"], input: input)
        #expect(result.status == 0, "\(result.stderr)")
        let answers = result.stdout.split(separator: "\n").map(String.init)
        #expect(answers.first?.contains("Seoul") == true, "\(result.stdout)")
        #expect(result.stdout.contains("Tokyo"), "\(result.stdout)")
    }

    @Test("a missing or malformed model file is a clear error, not a crash")
    func badModels() async throws {
        let missing = try await NuriBinary.run(["run", "/no/such/model.gguf", "hi"])
        #expect(missing.status != 0 && !missing.crashed)
        #expect(missing.stderr.contains("make models"))
        let path = NSTemporaryDirectory() + "broken-\(UUID().uuidString).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The first 64 KiB of the real model: a valid header cut off in the middle.
        let handle = try #require(FileHandle(forReadingAtPath: model))
        try handle.readData(ofLength: 65_536).write(to: URL(fileURLWithPath: path))
        let truncated = try await NuriBinary.run(["run", path, "hi"])
        #expect(truncated.status != 0 && !truncated.crashed)
        #expect(truncated.stderr.contains("truncated"), "\(truncated.stderr)")
    }
}
