import Foundation
import NuriStore
import NuriEngine

/// The JSON shapes of OpenAI's responses that Nuri returns.
enum OpenAIResponses {
    struct Usage: Encodable, Sendable {
        let promptTokens: Int
        let completionTokens: Int
        var totalTokens: Int { promptTokens + completionTokens }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(totalTokens, forKey: .totalTokens)
        }
    }

    /// Chat log-probabilities: `{"content": [{"token", "logprob", "bytes", "top_logprobs"}]}`.
    struct ChatLogProbs: Encodable, Sendable {
        struct Entry: Encodable, Sendable {
            struct Alternative: Encodable, Sendable {
                let token: String
                let logprob: Float
                let bytes: [UInt8]
            }
            let token: String
            let logprob: Float
            let bytes: [UInt8]
            let topLogprobs: [Alternative]
            enum CodingKeys: String, CodingKey {
                case token, logprob, bytes
                case topLogprobs = "top_logprobs"
            }
        }
        let content: [Entry]

        static func entry(_ p: TokenLogProbabilities, tokenizer: Tokenizer) -> Entry {
            func text(_ id: Int32) -> (String, [UInt8]) {
                let bytes = tokenizer.piece(id, renderSpecial: true)
                return (String(decoding: bytes, as: UTF8.self), bytes)
            }
            let (token, bytes) = text(p.token)
            return Entry(token: token, logprob: p.logProbability, bytes: bytes,
                         topLogprobs: p.top.map { alternative in
                             let (t, b) = text(alternative.token)
                             return .init(token: t, logprob: alternative.logProbability, bytes: b)
                         })
        }
    }

    struct ChatCompletion: Encodable, Sendable {
        struct Choice: Encodable, Sendable {
            struct Message: Encodable, Sendable {
                let role: String
                let content: String
            }
            let index: Int
            let message: Message
            let finishReason: String
            let logprobs: ChatLogProbs?
            enum CodingKeys: String, CodingKey {
                case index, message, logprobs
                case finishReason = "finish_reason"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(index, forKey: .index)
                try c.encode(message, forKey: .message)
                try c.encode(finishReason, forKey: .finishReason)
                try c.encode(logprobs, forKey: .logprobs)
            }
        }
        let id: String
        let object = "chat.completion"
        let created: Int
        let model: String
        let choices: [Choice]
        let usage: Usage
    }

    struct ChatCompletionChunk: Encodable, Sendable {
        struct Choice: Encodable, Sendable {
            struct Delta: Encodable, Sendable {
                let role: String?
                let content: String?
            }
            let index: Int
            let delta: Delta
            let finishReason: String?
            let logprobs: ChatLogProbs?
            enum CodingKeys: String, CodingKey {
                case index, delta, logprobs
                case finishReason = "finish_reason"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(index, forKey: .index)
                try c.encode(delta, forKey: .delta)
                try c.encode(finishReason, forKey: .finishReason)
                try c.encode(logprobs, forKey: .logprobs)
            }
        }
        let id: String
        let object = "chat.completion.chunk"
        let created: Int
        let model: String
        let choices: [Choice]
        let usage: Usage?
    }

    /// A `/v1/completions` answer, and each chunk of a streamed one (OpenAI gives both the same shape).
    struct Completion: Encodable, Sendable {
        struct LogProbs: Encodable, Sendable {
            var tokens: [String] = []
            var tokenLogprobs: [Float?] = []
            var topLogprobs: [[String: Float]?] = []
            var textOffset: [Int] = []

            /// Adds token `id` at character `offset` of the choice's text (moved past it):
            /// its text, its log probability (none for a prompt's first token) and its alternatives.
            mutating func append(_ id: Int32, _ probabilities: TokenLogProbabilities?, offset: inout Int, tokenizer: Tokenizer) {
                let piece = tokenizer.decode([id], renderSpecial: true)
                tokens.append(piece)
                tokenLogprobs.append(probabilities?.logProbability)
                topLogprobs.append(probabilities.map { p in
                    Dictionary(p.top.map { (tokenizer.decode([$0.token], renderSpecial: true), $0.logProbability) }, uniquingKeysWith: max)
                })
                textOffset.append(offset)
                offset += piece.count
            }

            /// The entries of several, in order; nil for none.
            init?(joining parts: [LogProbs]) {
                guard !parts.isEmpty else { return nil }
                for part in parts {
                    tokens += part.tokens
                    tokenLogprobs += part.tokenLogprobs
                    topLogprobs += part.topLogprobs
                    textOffset += part.textOffset
                }
            }

            init() {}

            /// Keeps the first `count` entries.
            mutating func keepFirst(_ count: Int) {
                tokens = Array(tokens.prefix(count))
                tokenLogprobs = Array(tokenLogprobs.prefix(count))
                topLogprobs = Array(topLogprobs.prefix(count))
                textOffset = Array(textOffset.prefix(count))
            }

            enum CodingKeys: String, CodingKey {
                case tokens
                case tokenLogprobs = "token_logprobs"
                case topLogprobs = "top_logprobs"
                case textOffset = "text_offset"
            }
        }
        struct Choice: Encodable, Sendable {
            let text: String
            let index: Int
            let logprobs: LogProbs?
            /// Always there in a whole answer; in a stream, only on a choice's last chunk.
            let finishReason: String?
            enum CodingKeys: String, CodingKey {
                case text, index, logprobs
                case finishReason = "finish_reason"
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(text, forKey: .text)
                try c.encode(index, forKey: .index)
                try c.encode(logprobs, forKey: .logprobs)
                try c.encode(finishReason, forKey: .finishReason)
            }
        }
        let id: String
        let object = "text_completion"
        let created: Int
        let model: String
        let choices: [Choice]
        /// Always there in a whole answer; in a stream, only on the usage chunk (`choices` empty).
        let usage: Usage?
    }

    struct Model: Encodable, Sendable {
        let id: String
        let object = "model"
        let created: Int
        let ownedBy: String
        enum CodingKeys: String, CodingKey {
            case id, object, created
            case ownedBy = "owned_by"
        }
    }

    struct ModelList: Encodable, Sendable {
        let object = "list"
        let data: [Model]
    }

    static func identifier(_ prefix: String) -> String {
        prefix + "-" + RecordIdentifier.randomBase62(count: 24)
    }

    static func finishReason(_ reason: Session.FinishReason) -> String {
        reason == .length ? "length" : "stop"
    }
}
