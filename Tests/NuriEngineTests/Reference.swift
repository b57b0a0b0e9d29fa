import Foundation

/// llama.cpp's figures for the two models (Fixtures/reference, copied from shared/reference).
struct Reference: Decodable {
    struct Model: Decodable {
        struct Greedy: Decodable {
            let prompt: String
            let promptTokenIDs: [Int32]
            let generatedTokenIDs: [Int32]
            let generatedText: String
            enum CodingKeys: String, CodingKey {
                case prompt
                case promptTokenIDs = "prompt_token_ids"
                case generatedTokenIDs = "generated_token_ids"
                case generatedText = "generated_text"
            }
        }
        struct Tokenize: Decodable {
            let text: String
            let idsWithSpecial: [Int32]
            let idsWithoutBOS: [Int32]
            enum CodingKeys: String, CodingKey {
                case text
                case idsWithSpecial = "ids_default_add_special"
                case idsWithoutBOS = "ids_no_bos"
            }
        }
        struct Perplexity: Decodable {
            struct Run: Decodable {
                let chunks: Int
                let finalPPL: Double
                enum CodingKeys: String, CodingKey {
                    case chunks
                    case finalPPL = "final_ppl"
                }
            }
            let ctx512: Run?
            let ctx256: Run?
        }
        let file: String
        let sha256: String
        let greedyGeneration: Greedy
        let tokenize: [Tokenize]
        let perplexity: Perplexity?
        enum CodingKeys: String, CodingKey {
            case file, sha256, tokenize, perplexity
            case greedyGeneration = "greedy_generation"
        }
    }
    let models: [String: Model]

    static let shared: Reference? = {
        guard let data = try? Fixture.data("reference/llamacpp-reference.json") else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    static var smolLM2: Model? { shared?.models["SmolLM2-135M-Instruct.Q4_1"] }
    static var gemma3: Model? { shared?.models["gemma-3-270m-q4_k_m"] }
}
