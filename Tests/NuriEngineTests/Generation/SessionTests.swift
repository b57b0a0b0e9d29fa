import Foundation
import NuriEngine
import Testing

@Suite("Generation sessions", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
struct SessionTests {
    static let loaded: (LanguageModel, Tokenizer)? = {
        guard let path = TestModels.smolLM2, let model = try? LanguageModel(path: path),
              let tokenizer = try? Tokenizer(gguf: model.file) else { return nil }
        return (model, tokenizer)
    }()

    func session(context: Int? = 256) throws -> Session {
        let (model, tokenizer) = try #require(Self.loaded)
        return Session(model: model, tokenizer: tokenizer, contextLength: context)
    }

    @Test("greedy text equals llama.cpp's continuation, streamed pieces add up to it")
    func greedyText() throws {
        let session = try session()
        let reference = try #require(Reference.smolLM2?.greedyGeneration)
        let prompt = session.tokenizer.encode(reference.prompt, addSpecial: true, parseSpecial: true)
        #expect(prompt == reference.promptTokenIDs)
        var streamed = ""
        let summary = try session.generate(prompt: prompt, maxTokens: 32) { chunk in
            streamed += chunk.text
            return true
        }
        #expect(summary.generatedTokens == reference.generatedTokenIDs)
        #expect(summary.text == reference.generatedText)
        #expect(streamed == summary.text)
        #expect(summary.finishReason == .length)
    }

    @Test("a stop string ends generation and is not emitted")
    func stopString() throws {
        let session = try session()
        let prompt = session.tokenizer.encode("The capital of South Korea is", addSpecial: true, parseSpecial: true)
        let summary = try session.generate(prompt: prompt, maxTokens: 32, stop: ["United"])
        #expect(summary.finishReason == .stop)
        #expect(summary.text == " Seoul.\n\nThe ")
    }

    @Test("the next turn reuses the cached prefix and gives the same answer as a fresh session")
    func prefixReuse() throws {
        let session = try session()
        let first = session.tokenizer.encode("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", addSpecial: false, parseSpecial: true)
        let answer = try session.generate(prompt: first, maxTokens: 8)
        let second = first + answer.generatedTokens + session.tokenizer.encode("<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n", addSpecial: false, parseSpecial: true)
        let reused = try session.generate(prompt: second, maxTokens: 8)
        #expect(reused.reusedTokens >= first.count)
        let fresh = try self.session().generate(prompt: second, maxTokens: 8)
        #expect(fresh.reusedTokens == 0)
        #expect(reused.generatedTokens == fresh.generatedTokens)
    }

    @Test("a prompt longer than the context is refused with a clear error")
    func contextLimit() throws {
        let session = try session(context: 16)
        let prompt = [Int32](repeating: 504, count: 40)
        #expect(throws: EngineError.contextFull(limit: 16, needed: 41)) { try session.generate(prompt: prompt, maxTokens: 4) }
        // Generation that reaches the limit ends with `length`, not an error.
        let summary = try session.generate(prompt: Array(prompt.prefix(10)), maxTokens: 100)
        #expect(summary.finishReason == .length)
        #expect(summary.generatedTokens.count <= 7)
    }

    @Test("an out-of-vocabulary token id is refused")
    func invalidToken() throws {
        let session = try session()
        #expect(throws: EngineError.self) { try session.generate(prompt: [1, 999_999], maxTokens: 1) }
    }

    @Test("the model's chat template renders a conversation SmolLM2 answers")
    func chat() throws {
        let session = try session(context: 512)
        let source = try #require(session.model.file.string("tokenizer.chat_template"))
        let template = try ChatTemplate(source: source)
        let text = try template.render(messages: [ChatMessage(role: "user", content: "What is the capital of South Korea?")],
                                       addGenerationPrompt: true, bosToken: "", eosToken: "<|im_end|>")
        #expect(text.hasSuffix("<|im_start|>assistant\n"))
        let prompt = session.tokenizer.encode(text, addSpecial: false, parseSpecial: true)
        let answer = try session.generate(prompt: prompt, maxTokens: 40)
        #expect(answer.text.contains("Seoul"), "\(answer.text)")
        #expect(answer.finishReason == .stop, "the model ends its turn with <|im_end|>")
    }
}
