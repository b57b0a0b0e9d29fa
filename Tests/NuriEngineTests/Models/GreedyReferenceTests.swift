import Foundation
@testable import NuriEngine
import Testing

@Suite("Greedy generation follows llama.cpp's")
struct GreedyReferenceTests {
    /// Greedy decoding from llama.cpp's own prompt ids, so this tests the model alone.
    func greedy(model path: String, reference: Reference.Model) throws -> (ids: [Int32], margins: [Float]) {
        let model = try LanguageModel(path: path)
        let cache = model.makeCache(capacity: 128)
        var logits = try model.evaluate(reference.greedyGeneration.promptTokenIDs, cache: cache)
        var ids: [Int32] = [], margins: [Float] = []
        for _ in 0..<reference.greedyGeneration.generatedTokenIDs.count {
            let best = logits.indices.max { logits[$0] < logits[$1] } ?? 0
            var second = -Float.infinity
            for (i, v) in logits.enumerated() where i != best { second = max(second, v) }
            margins.append(logits[best] - second)
            ids.append(Int32(best))
            logits = try model.evaluate([Int32(best)], cache: cache)
        }
        return (ids, margins)
    }

    @Test("SmolLM2-135M Q4_1", .enabled(if: TestModels.smolLM2 != nil, "run `make models` to fetch the model"))
    func smolLM2() throws {
        let reference = try #require(Reference.smolLM2)
        let (ids, margins) = try greedy(model: try #require(TestModels.smolLM2), reference: reference)
        #expect(ids == reference.greedyGeneration.generatedTokenIDs, "margins: \(margins)")
    }

    /// Gemma 3's greedy continuation of this prompt passes near ties where llama.cpp's own top
    /// two logits are 0.07–0.11 apart (steps 0, 5 and 17), and the shared reference and llama.cpp
    /// built here already part at step 17: any change of summation order (Nuri's AVX2 and AVX-512
    /// kernels, ggml's repacked ones) may flip them. So the continuation is checked the way it is
    /// determined: fed llama.cpp's own tokens, at every step Nuri's logits of llama.cpp's top
    /// three are within 0.75 of llama.cpp's (3% of these ~25-unit logits; measured: 0.50 with the AVX2
    /// kernels, 0.45 with the AVX-512 ones), and Nuri's top token is llama.cpp's
    /// wherever llama.cpp's margin is at least 0.25. Free-running, the first five tokens agree.
    @Test("Gemma 3 270M Q4_K_M", .enabled(if: TestModels.gemma3 != nil, "run `make models` to fetch the model"))
    func gemma3() throws {
        let reference = try #require(Reference.gemma3)
        let local = try JSONDecoder().decode(LocalRun.self, from: Fixture.data("reference/llamacpp-local-gemma3.json"))
        #expect(local.promptTokenIDs == reference.greedyGeneration.promptTokenIDs)
        #expect(Array(local.generatedTokenIDs.prefix(17)) == Array(reference.greedyGeneration.generatedTokenIDs.prefix(17)))
        let path = try #require(TestModels.gemma3)
        let (free, _) = try greedy(model: path, reference: reference)
        #expect(Array(free.prefix(5)) == Array(local.generatedTokenIDs.prefix(5)))

        let model = try LanguageModel(path: path)
        let cache = model.makeCache(capacity: 128)
        let fed = local.promptTokenIDs + local.generatedTokenIDs
        var checkedTop = 0
        var worst: Float = 0
        try model.evaluate(fed, cache: cache, outputs: Array(local.promptTokenIDs.count - 1..<fed.count - 1)) { index, logits in
            let step = index - (local.promptTokenIDs.count - 1)
            let top3 = local.top3[step]
            for (token, value) in top3 {
                worst = max(worst, abs(logits[Int(token)] - value))
                #expect(abs(logits[Int(token)] - value) <= 0.75, "step \(step): token \(token) \(logits[Int(token)]) vs llama.cpp \(value)")
            }
            if top3[0].1 - top3[1].1 >= 0.25 {
                checkedTop += 1
                #expect(Sampler.argmax(logits) == Int(top3[0].0), "step \(step): llama.cpp's margin \(top3[0].1 - top3[1].1)")
            }
        }
        #expect(checkedTop >= 24, "steps with a clear top token: \(checkedTop)")
        print("Gemma 3 vs llama.cpp, kernels \(CPUFeatures.kernelName): largest logit difference \(worst), \(checkedTop) clear steps")
    }

    struct LocalRun: Decodable {
        let promptTokenIDs: [Int32]
        let generatedTokenIDs: [Int32]
        /// llama.cpp's three highest logits after each generated position: (token, logit).
        let top3: [[(Int32, Float)]]

        enum CodingKeys: String, CodingKey {
            case promptTokenIDs = "prompt_token_ids"
            case generatedTokenIDs = "generated_token_ids"
            case top3 = "top3_per_step"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            promptTokenIDs = try container.decode([Int32].self, forKey: .promptTokenIDs)
            generatedTokenIDs = try container.decode([Int32].self, forKey: .generatedTokenIDs)
            let steps = try container.decode([[[Double]]].self, forKey: .top3)
            top3 = steps.map { step in step.map { (Int32($0[0]), Float($0[1])) } }
        }
    }
}
