/// `POST /v1/completions`: plain prompts, with `echo` and `logprobs` as lm-evaluation-harness
/// uses them to score multiple-choice answers.
public struct CompletionRequest: Sendable, Decodable {
    /// A string, a list of strings, a list of token ids, or a list of lists of token ids.
    public enum Prompt: Sendable, Decodable {
        case texts([String])
        case tokens([[Int32]])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .texts([text]) }
            else if let texts = try? container.decode([String].self) { self = .texts(texts) }
            else if let ids = try? container.decode([Int32].self) { self = .tokens([ids]) }
            else { self = .tokens(try container.decode([[Int32]].self)) }
        }
    }

    public let model: String
    public let prompt: Prompt
    public let maxTokens: Int?
    public let temperature: Double?
    public let topP: Double?
    public let stop: StringOrStrings?
    public let seed: Int?
    public let n: Int?
    public let echo: Bool?
    /// Number of top alternatives per token to report (OpenAI allows up to 5; Nuri up to 20).
    public let logprobs: Int?
    public let presencePenalty: Double?
    public let frequencyPenalty: Double?
    public let stream: Bool?
    /// `include_usage`: a streamed answer ends with a chunk carrying the usage.
    public let streamOptions: ChatCompletionRequest.StreamOptions?
    public let user: String?

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, stop, seed, n, echo, logprobs, stream, user
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
    }
}
