import Foundation
import NuriEngine
import Testing

/// The figures of shared/reference/llamacpp-reference.json (llama-tokenize of b11312), copied to
/// Fixtures/tokenizer/llamacpp-reference-tokenize.json.
@Suite("llama.cpp reference tokenization")
struct LlamaCppReferenceTests {
    struct Reference: Decodable {
        struct Model: Decodable {
            struct Entry: Decodable {
                let text: String
                let ids_default_add_special: [Int32]
                let ids_no_bos: [Int32]
            }
            let file: String
            let tokenize: [Entry]
        }
        let models: [String: Model]
    }

    static func reference(_ name: String) throws -> Reference.Model {
        let data = try Fixture.data("tokenizer/llamacpp-reference-tokenize.json")
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        return try #require(reference.models[name])
    }

    @Test("SmolLM2 (byte-level BPE, smollm)", .enabled(if: TokenizerModels.haveSmolLM2, Comment(rawValue: TokenizerModels.skipMessage)))
    func smolLM2() throws {
        let tokenizer = try TokenizerModels.smolLM2()
        for entry in try Self.reference("SmolLM2-135M-Instruct.Q4_1").tokenize {
            // llama-tokenize parses special tokens by default and adds BOS when the model asks.
            #expect(tokenizer.encode(entry.text, addSpecial: true, parseSpecial: true) == entry.ids_default_add_special, "\(entry.text)")
            #expect(tokenizer.encode(entry.text, addSpecial: false, parseSpecial: true) == entry.ids_no_bos, "\(entry.text)")
            #expect(tokenizer.decode(entry.ids_no_bos) == entry.text)
        }
    }

    @Test("Gemma 3 (SentencePiece)", .enabled(if: TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func gemma3() throws {
        let tokenizer = try TokenizerModels.gemma3()
        for entry in try Self.reference("gemma-3-270m-q4_k_m").tokenize {
            #expect(tokenizer.encode(entry.text, addSpecial: true, parseSpecial: true) == entry.ids_default_add_special, "\(entry.text)")
            #expect(tokenizer.encode(entry.text, addSpecial: false, parseSpecial: true) == entry.ids_no_bos, "\(entry.text)")
            #expect(tokenizer.decode(entry.ids_no_bos) == entry.text)
        }
    }
}
