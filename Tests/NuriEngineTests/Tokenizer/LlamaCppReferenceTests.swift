import Foundation
import NuriEngine
import Testing

/// The figures of shared/reference/llamacpp-reference.json (llama-tokenize and examples/simple of
/// b11312), copied to Fixtures/tokenizer/llamacpp-reference-tokenize.json.
@Suite("llama.cpp reference tokenization")
struct LlamaCppReferenceTests {
    struct Reference: Decodable {
        struct Model: Decodable {
            struct Entry: Decodable {
                let text: String
                let ids_default_add_special: [Int32]
                let ids_no_bos: [Int32]
            }
            struct Greedy: Decodable {
                let prompt: String
                let prompt_token_ids: [Int32]
                let generated_token_ids: [Int32]
                let generated_text: String
            }
            let file: String
            let tokenize: [Entry]
            let greedy_generation: Greedy
        }
        let models: [String: Model]
    }

    static func reference(_ name: String) throws -> Reference.Model {
        let data = try Fixture.data("tokenizer/llamacpp-reference-tokenize.json")
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        return try #require(reference.models[name])
    }

    /// examples/simple tokenizes the prompt with special tokens added and parsed, and prints each
    /// generated token's piece with special tokens shown.
    static func checkGreedy(_ tokenizer: Tokenizer, _ greedy: Reference.Model.Greedy) {
        #expect(tokenizer.encode(greedy.prompt, addSpecial: true, parseSpecial: true) == greedy.prompt_token_ids)
        #expect(tokenizer.decode(greedy.generated_token_ids, renderSpecial: true) == greedy.generated_text)
        var decoder = StreamingDecoder(tokenizer: tokenizer, renderSpecial: true)
        var streamed = ""
        for id in greedy.generated_token_ids { streamed += decoder.append(id) }
        streamed += decoder.finish()
        #expect(streamed == greedy.generated_text)
    }

    @Test("SmolLM2 (byte-level BPE, smollm)", .enabled(if: TokenizerModels.haveSmolLM2, Comment(rawValue: TokenizerModels.skipMessage)))
    func smolLM2() throws {
        let tokenizer = try TokenizerModels.smolLM2()
        let reference = try Self.reference("SmolLM2-135M-Instruct.Q4_1")
        Self.checkGreedy(tokenizer, reference.greedy_generation)
        for entry in reference.tokenize {
            // llama-tokenize parses special tokens by default and adds BOS when the model asks.
            #expect(tokenizer.encode(entry.text, addSpecial: true, parseSpecial: true) == entry.ids_default_add_special, "\(entry.text)")
            #expect(tokenizer.encode(entry.text, addSpecial: false, parseSpecial: true) == entry.ids_no_bos, "\(entry.text)")
            #expect(tokenizer.decode(entry.ids_no_bos) == entry.text)
        }
    }

    @Test("Gemma 3 (SentencePiece)", .enabled(if: TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func gemma3() throws {
        let tokenizer = try TokenizerModels.gemma3()
        let reference = try Self.reference("gemma-3-270m-q4_k_m")
        Self.checkGreedy(tokenizer, reference.greedy_generation)
        for entry in reference.tokenize {
            #expect(tokenizer.encode(entry.text, addSpecial: true, parseSpecial: true) == entry.ids_default_add_special, "\(entry.text)")
            #expect(tokenizer.encode(entry.text, addSpecial: false, parseSpecial: true) == entry.ids_no_bos, "\(entry.text)")
            #expect(tokenizer.decode(entry.ids_no_bos) == entry.text)
        }
    }
}
