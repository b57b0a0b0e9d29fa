import Foundation
import NuriEngine
import Testing

@Suite("Perplexity within 1% of llama.cpp's")
struct PerplexityTests {
    @Test("SmolLM2 on the reference text at contexts 512 and 256", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func smolLM2() throws {
        let reference = try #require(Reference.smolLM2?.perplexity)
        let model = try LanguageModel(path: try #require(TestModels.smolLM2))
        let tokenizer = try Tokenizer(gguf: model.file)
        let text = try String(contentsOf: Fixture.url("reference/ppl.txt"), encoding: .utf8)
        let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        #expect(tokens.count == 1_822, "llama.cpp counts 1822 tokens in ppl.txt")
        for (context, expected) in [(512, try #require(reference.ctx512)), (256, try #require(reference.ctx256))] {
            let result = try Perplexity.compute(model: model, tokens: tokens, context: context, bos: nil)
            #expect(result.chunks == expected.chunks)
            let relative = abs(result.value - expected.finalPPL) / expected.finalPPL
            #expect(relative < 0.01, "ctx \(context): \(result.value) vs llama.cpp \(expected.finalPPL)")
        }
    }
}
