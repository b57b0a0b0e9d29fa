/// `POST /v1/chat/completions`, the fields Nuri honours. Unknown fields are ignored (as
/// OpenAI's own API does); a field of the wrong type is a 400 naming it.
public struct ChatCompletionRequest: Sendable, Decodable {
    public struct Message: Sendable, Decodable {
        public let role: String
        /// A string, or a list of content parts of which the `text` parts are used.
        public let content: JSONValue?
        public let name: String?

        /// The text of the message.
        public var text: String { Self.text(of: content) }

        /// The text of a message's content: a string, or the `text` parts of a list.
        public static func text(of content: JSONValue?) -> String {
            switch content {
            case .string(let text): return text
            case .array(let parts):
                return parts.compactMap { part -> String? in
                    guard case .object(let fields) = part, case .string(let text)? = fields["text"] else { return nil }
                    return text
                }.joined()
            default: return ""
            }
        }
    }

    public struct StreamOptions: Sendable, Decodable {
        public let includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    public let model: String
    public let messages: [Message]
    public let stream: Bool?
    public let streamOptions: StreamOptions?
    public let temperature: Double?
    public let topP: Double?
    public let maxTokens: Int?
    public let maxCompletionTokens: Int?
    public let stop: StringOrStrings?
    public let seed: Int?
    public let n: Int?
    public let presencePenalty: Double?
    public let frequencyPenalty: Double?
    public let logprobs: Bool?
    public let topLogprobs: Int?
    public let user: String?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, stop, seed, n, logprobs, user
        case streamOptions = "stream_options"
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case topLogprobs = "top_logprobs"
    }
}
