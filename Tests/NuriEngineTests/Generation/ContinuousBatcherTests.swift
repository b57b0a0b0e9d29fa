import Foundation
import NuriEngine
import Synchronization
import Testing

@Suite("Continuous batching", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
struct ContinuousBatcherTests {
    static let loaded: (LanguageModel, Tokenizer)? = SessionTests.loaded

    /// What one request streamed and how it ended.
    struct Outcome: Sendable {
        var streamed = ""
        var tokens: [Int32] = []
        var result: Result<Session.Summary, EngineError>?
    }

    final class Collector: Sendable {
        let outcome = Mutex(Outcome())
    }

    /// Submits every request at once and waits for all of them.
    func run(_ batcher: ContinuousBatcher, _ requests: [ContinuousBatcher.Request],
             onChunk: @escaping @Sendable (Int, Session.Chunk) -> Bool = { _, _ in true }) async -> [Outcome] {
        await withTaskGroup(of: (Int, Outcome).self) { group in
            for (i, request) in requests.enumerated() {
                group.addTask {
                    let collector = Collector()
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        batcher.submit(request, onChunk: { chunk in
                            collector.outcome.withLock {
                                $0.streamed += chunk.text
                                if chunk.token >= 0 { $0.tokens.append(chunk.token) }
                            }
                            return onChunk(i, chunk)
                        }, onFinish: { result in
                            collector.outcome.withLock { $0.result = result }
                            done.resume()
                        })
                    }
                    return (i, collector.outcome.withLock { $0 })
                }
            }
            var outcomes = [Outcome](repeating: Outcome(), count: requests.count)
            for await (i, outcome) in group { outcomes[i] = outcome }
            return outcomes
        }
    }

    func prompt(_ tokenizer: Tokenizer, _ question: String) -> [Int32] {
        tokenizer.encode("<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n", addSpecial: false, parseSpecial: true)
    }

    @Test("requests decoding together each get what they get alone, streamed and summarised")
    func sameAsAlone() async throws {
        let (model, tokenizer) = try #require(Self.loaded)
        let questions = ["What is the capital of South Korea?", "Name three colours.", "Count to five.", "Say hello in Korean.",
                         "What is two plus two?", "Write a haiku about the sea."]
        var requests = questions.enumerated().map { i, q in
            ContinuousBatcher.Request(prompt: prompt(tokenizer, q), maxTokens: 12 + 3 * i)
        }
        // One request stops at a string: the third word of what it says alone.
        let plain = try Session(model: model, tokenizer: tokenizer, contextLength: 256).generate(prompt: requests[2].prompt, maxTokens: 18)
        let words = plain.text.split(separator: " ")
        try #require(words.count > 3, "the answer is too short to pick a stop string from: \(plain.text)")
        requests[2].stop = [" " + words[2]]
        let batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: 256, maxSequences: 4)
        defer { batcher.shutdown() }
        let outcomes = await run(batcher, requests)
        for (request, outcome) in zip(requests, outcomes) {
            let alone = try Session(model: model, tokenizer: tokenizer, contextLength: 256)
                .generate(prompt: request.prompt, maxTokens: request.maxTokens, stop: request.stop)
            let summary = try #require(try outcome.result?.get())
            #expect(summary.generatedTokens == alone.generatedTokens)
            #expect(summary.text == alone.text)
            #expect(summary.finishReason == alone.finishReason)
            #expect(outcome.streamed == summary.text)
            #expect(summary.promptTokens == request.prompt.count)
        }
        #expect(try outcomes[2].result?.get().finishReason == .stop)
    }

    @Test("a cancelled request stops at the next step and the others finish")
    func cancel() async throws {
        let (model, tokenizer) = try #require(Self.loaded)
        let batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: 256)
        defer { batcher.shutdown() }
        let requests = (0..<3).map { _ in ContinuousBatcher.Request(prompt: prompt(tokenizer, "Tell me a long story."), maxTokens: 40) }
        let outcomes = await run(batcher, requests) { i, chunk in !(i == 1 && chunk.token >= 0) }
        #expect(try outcomes[1].result?.get().finishReason == .cancelled)
        #expect(try outcomes[1].result?.get().generatedTokens.count == 1)
        #expect(try outcomes[0].result?.get().generatedTokens.count == 40)
        #expect(try outcomes[2].result?.get().generatedTokens == outcomes[0].result?.get().generatedTokens)
    }

    @Test("a handle cancels a request still reading its prompt")
    func cancelHandle() async throws {
        let (model, tokenizer) = try #require(Self.loaded)
        let batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: 1024, prefillTokens: 16)
        defer { batcher.shutdown() }
        let collector = Collector()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let handle = batcher.submit(.init(prompt: Array(repeating: 504, count: 600), maxTokens: 10), onChunk: { _ in true },
                                        onFinish: { result in
                                            collector.outcome.withLock { $0.result = result }
                                            done.resume()
                                        })
            handle.cancel()
        }
        let summary = try #require(try collector.outcome.withLock { $0.result }?.get())
        #expect(summary.finishReason == .cancelled)
        #expect(summary.generatedTokens.isEmpty)
    }

    @Test("a conversation's next turn reuses the finished turn's cache")
    func prefixReuse() async throws {
        let (model, tokenizer) = try #require(Self.loaded)
        let batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: 256)
        defer { batcher.shutdown() }
        let first = prompt(tokenizer, "Hello")
        let answer = try #require(try await run(batcher, [.init(prompt: first, maxTokens: 8)])[0].result?.get())
        let second = first + answer.generatedTokens + prompt(tokenizer, "Bye")
        let next = try #require(try await run(batcher, [.init(prompt: second, maxTokens: 8)])[0].result?.get())
        #expect(next.reusedTokens >= first.count)
        let fresh = try Session(model: model, tokenizer: tokenizer, contextLength: 256).generate(prompt: second, maxTokens: 8)
        #expect(next.generatedTokens == fresh.generatedTokens)
    }

    @Test("bad requests are refused with the engine's error; the batch goes on")
    func refusals() async throws {
        let (model, tokenizer) = try #require(Self.loaded)
        let batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: 16)
        defer { batcher.shutdown() }
        let outcomes = await run(batcher, [
            .init(prompt: Array(repeating: 504, count: 40), maxTokens: 4),
            .init(prompt: [1, 999_999], maxTokens: 4),
            .init(prompt: [], maxTokens: 4),
            .init(prompt: Array(repeating: 504, count: 10), maxTokens: 100),
        ])
        #expect(throws: EngineError.contextFull(limit: 16, needed: 41)) { try outcomes[0].result?.get() }
        #expect(throws: EngineError.invalidToken(999_999, vocabularySize: model.config.vocabularySize)) { try outcomes[1].result?.get() }
        #expect(throws: EngineError.self) { try outcomes[2].result?.get() }
        // Reaching the context limit ends a generation with `length`, as alone.
        let full = try #require(try outcomes[3].result?.get())
        #expect(full.finishReason == .length)
        #expect(full.generatedTokens.count == 7)
    }
}
