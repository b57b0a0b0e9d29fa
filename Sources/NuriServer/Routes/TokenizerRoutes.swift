import Foundation
import Hummingbird
import NuriEngine
import NuriGateway
import NuriIdentity

/// `POST /tokenize`, `POST /detokenize` and `GET /tokenizer_info`, in the shape vLLM's server
/// gives them (lm-evaluation-harness's `local-completions` calls them to count and split
/// tokens). They need the `inference` scope, like the rest of the model API.
struct TokenizerRoutes {
    let gateway: Gateway
    let bodyLimit: Int

    struct TokenizeRequest: Decodable {
        let model: String
        let prompt: String
        let addSpecialTokens: Bool?
        enum CodingKeys: String, CodingKey {
            case model, prompt
            case addSpecialTokens = "add_special_tokens"
        }
    }

    struct TokenizeResponse: ResponseEncodable {
        let count: Int
        let maxModelLen: Int
        let tokens: [Int32]
        enum CodingKeys: String, CodingKey {
            case count, tokens
            case maxModelLen = "max_model_len"
        }
    }

    struct DetokenizeRequest: Decodable {
        let model: String
        let tokens: [Int32]
    }

    struct DetokenizeResponse: ResponseEncodable {
        let prompt: String
    }

    struct TokenizerInfo: ResponseEncodable {
        let model: String
        let tokenizerModel: String
        let vocabularySize: Int
        let bosToken: String?
        let eosToken: String?
        let maxModelLen: Int
        enum CodingKeys: String, CodingKey {
            case model
            case tokenizerModel = "tokenizer_model"
            case vocabularySize = "vocab_size"
            case bosToken = "bos_token"
            case eosToken = "eos_token"
            case maxModelLen = "max_model_len"
        }
    }

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.post("tokenize") { request, context -> TokenizeResponse in
            let principal = try context.require(.inference)
            let body = try await request.decodeJSON(TokenizeRequest.self, limit: bodyLimit)
            let backend = try gateway.localBackend(body.model, for: "tokenize", viewer: principal.modelViewer)
            let tokens = backend.tokenizer.encode(body.prompt, addSpecial: body.addSpecialTokens ?? true, parseSpecial: false)
            return TokenizeResponse(count: tokens.count, maxModelLen: backend.contextLength, tokens: tokens)
        }
        group.post("detokenize") { request, context -> DetokenizeResponse in
            let principal = try context.require(.inference)
            let body = try await request.decodeJSON(DetokenizeRequest.self, limit: bodyLimit)
            let backend = try gateway.localBackend(body.model, for: "detokenize", viewer: principal.modelViewer)
            let size = backend.model.config.vocabularySize
            guard let bad = body.tokens.first(where: { $0 < 0 || Int($0) >= size }) else {
                return DetokenizeResponse(prompt: backend.tokenizer.decode(body.tokens))
            }
            throw GatewayError.invalidRequest(param: "tokens", message: "token id \(bad) is outside the vocabulary of \(size)")
        }
        group.get("tokenizer_info") { request, context -> TokenizerInfo in
            let principal = try context.require(.inference)
            let viewer = principal.modelViewer
            let name = request.uri.queryParameters["model"].map(String.init) ?? gateway.modelNames(for: viewer).first ?? ""
            let backend = try gateway.localBackend(name, for: "tokenizer_info", viewer: viewer)
            let tokenizer = backend.tokenizer
            return TokenizerInfo(model: name, tokenizerModel: backend.model.file.string("tokenizer.ggml.model") ?? "unknown",
                                 vocabularySize: backend.model.config.vocabularySize,
                                 bosToken: tokenizer.bosID.flatMap(tokenizer.tokenText),
                                 eosToken: tokenizer.eosID.flatMap(tokenizer.tokenText), maxModelLen: backend.contextLength)
        }
    }
}
