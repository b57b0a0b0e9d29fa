import Foundation
import NuriEngine
import Testing

/// A continuous batch must give every sequence exactly what it gets alone: the rows of a batch
/// go through the same kernels (the tiles are bit-identical to single products, tested in
/// DotProductTests), with each row's own position and cache.
@Suite("Batched evaluation")
struct BatchTests {
    static let prompts: [[Int32]] = [
        [1, 504, 3458, 282, 3102, 7314, 314],  // a few real SmolLM2 ids; any in-vocabulary ids do
        [1, 2548, 1701],
        Array(repeating: 504, count: 21),
        [1, 9, 8, 7, 6, 5, 4, 3, 2, 30, 40, 50],
        [1, 77],
    ]

    /// Greedy ids and each step's logits for one sequence alone.
    func alone(_ model: LanguageModel, _ prompt: [Int32], steps: Int) throws -> (ids: [Int32], logits: [[Float]]) {
        let cache = model.makeCache(capacity: 256)
        var logits = try model.evaluate(prompt, cache: cache)
        var ids: [Int32] = [], all: [[Float]] = [logits]
        for _ in 0..<steps {
            let next = Int32(logits.withUnsafeBufferPointer(Sampler.argmax))
            ids.append(next)
            logits = try model.evaluate([next], cache: cache)
            all.append(logits)
        }
        return (ids, all)
    }

    /// The same sequences in one batch: prompts together, then one token of each per step.
    func together(_ model: LanguageModel, _ prompts: [[Int32]], steps: Int) throws -> [(ids: [Int32], logits: [[Float]])] {
        let caches = prompts.map { _ in model.makeCache(capacity: 256) }
        var results = prompts.map { _ in (ids: [Int32](), logits: [[Float]]()) }
        var inputs = zip(caches, prompts).map { LanguageModel.SequenceInput(cache: $0, tokens: $1) }
        for _ in 0...steps {
            try model.evaluate(inputs) { s, _, logits in results[s].logits.append(Array(logits)) }
            if results[0].logits.count == steps + 1 { break }
            inputs = inputs.indices.map { s in
                let next = Int32(results[s].logits.last!.withUnsafeBufferPointer(Sampler.argmax))
                results[s].ids.append(next)
                return LanguageModel.SequenceInput(cache: caches[s], tokens: [next])
            }
        }
        return results
    }

    func check(modelPath: String) throws {
        let model = try LanguageModel(path: modelPath)
        let batched = try together(model, Self.prompts, steps: 12)
        for (s, prompt) in Self.prompts.enumerated() {
            let single = try alone(model, prompt, steps: 12)
            #expect(batched[s].ids == single.ids, "sequence \(s)")
            #expect(batched[s].logits == single.logits, "sequence \(s): logits differ from the sequence alone")
        }
    }

    @Test("SmolLM2: five sequences decoding together get the logits each gets alone",
          .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func smolLM2() throws { try check(modelPath: try #require(TestModels.smolLM2)) }

    @Test("Gemma 3: five sequences decoding together get the logits each gets alone",
          .enabled(if: TestModels.gemma3 != nil, "run `make models`"))
    func gemma3() throws { try check(modelPath: try #require(TestModels.gemma3)) }

    @Test("a prompt longer than one pass's rows, batched with another, gives the logits it gets alone",
          .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func longPromptAcrossChunks() throws {
        let model = try LanguageModel(path: try #require(TestModels.smolLM2), batch: 32)
        let long = (0..<90).map { Int32(100 + $0 * 7) }, short: [Int32] = [1, 504, 3458]
        let wanted = [10, 31, 32, 33, 64, 89]
        var batched: [Int: [Float]] = [:], shortLogits: [Float] = []
        let a = model.makeCache(capacity: 128), b = model.makeCache(capacity: 128)
        try model.evaluate([.init(cache: b, tokens: short), .init(cache: a, tokens: long, outputs: wanted)]) { s, i, logits in
            if s == 1 { batched[i] = Array(logits) } else { shortLogits = Array(logits) }
        }
        #expect(a.count == 90 && b.count == 3)
        var single: [Int: [Float]] = [:]
        try model.evaluate(long, cache: model.makeCache(capacity: 128), outputs: wanted) { i, logits in single[i] = Array(logits) }
        #expect(batched == single)
        #expect(shortLogits == (try model.evaluate(short, cache: model.makeCache(capacity: 8))))
    }

    @Test("a prompt long enough for attention's prompt path, batched with decoding rows, changes nothing for either",
          .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func promptPathBesideDecoding() throws {
        let model = try LanguageModel(path: try #require(TestModels.smolLM2))
        let long = (0..<80).map { Int32(300 + $0 * 11) }, short: [Int32] = [1, 504, 3458, 282]
        func alone(_ tokens: [Int32], _ cache: KVCache) throws -> [Float] { try model.evaluate(tokens, cache: cache) }
        // The short sequence has a cache of its own already (it is decoding).
        let a = model.makeCache(capacity: 128), b = model.makeCache(capacity: 128)
        _ = try alone(Array(short.prefix(3)), b)
        var batched: [Int: [Float]] = [:]
        try model.evaluate([.init(cache: b, tokens: [short[3]]), .init(cache: a, tokens: long)]) { s, _, logits in batched[s] = Array(logits) }
        let b2 = model.makeCache(capacity: 128)
        _ = try alone(Array(short.prefix(3)), b2)
        #expect(batched[0] == (try alone([short[3]], b2)))
        #expect(batched[1] == (try alone(long, model.makeCache(capacity: 128))))
    }

    @Test("a batch is checked whole before anything changes", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func invalidBatch() throws {
        let model = try LanguageModel(path: try #require(TestModels.smolLM2))
        let cache = model.makeCache(capacity: 16), other = model.makeCache(capacity: 4)
        #expect(throws: EngineError.sequenceTwiceInBatch) {
            try model.evaluate([.init(cache: cache, tokens: [1]), .init(cache: cache, tokens: [2])]) { _, _, _ in }
        }
        #expect(throws: EngineError.contextFull(limit: 4, needed: 5)) {
            try model.evaluate([.init(cache: cache, tokens: [1]), .init(cache: other, tokens: [1, 2, 3, 4, 5])]) { _, _, _ in }
        }
        #expect(throws: EngineError.invalidToken(-3, vocabularySize: model.config.vocabularySize)) {
            try model.evaluate([.init(cache: cache, tokens: [1]), .init(cache: other, tokens: [-3])]) { _, _, _ in }
        }
        #expect(cache.count == 0 && other.count == 0)
    }

    @Test("a cache's memory follows the tokens it holds, not its context limit",
          .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func cacheGrowsInBlocks() throws {
        let model = try LanguageModel(path: try #require(TestModels.smolLM2))
        let cache = model.makeCache(capacity: 4_096)
        #expect(cache.allocatedBytes == 0)
        _ = try model.evaluate(Array(repeating: 504, count: 10), cache: cache)
        #expect(cache.allocatedPositions == KVCache.blockPositions)
        let block = cache.allocatedBytes
        // SmolLM2: 30 layers × (3 kv heads × 64) × 2 bytes × (keys + values) per position.
        #expect(block == KVCache.blockPositions * 30 * 192 * 2 * 2)
        _ = try model.evaluate(Array(repeating: 504, count: KVCache.blockPositions), cache: cache)
        #expect(cache.allocatedPositions == 2 * KVCache.blockPositions)
        cache.truncate(to: 5)
        #expect(cache.allocatedBytes == block)
        cache.truncate(to: 0)
        #expect(cache.allocatedBytes == 0)
    }
}
