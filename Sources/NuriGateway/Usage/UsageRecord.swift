/// One inference request, as metered: who, which model, how many tokens, how long, how it ended.
public struct UsageRecord: Sendable, Equatable {
    public let organisationID: String?
    public let userID: String
    public let tokenID: String
    public let model: String
    /// The backend that served it (the model's name for a local backend).
    public let backend: String
    /// `chat.completions` or `completions`.
    public let endpoint: String
    public let promptTokens: Int
    public let completionTokens: Int
    /// Milliseconds from the request to its last byte.
    public let latencyMilliseconds: Int
    /// The HTTP status (499 when the client went away mid-stream).
    public let status: Int
    /// When the request ended (Unix seconds); nil: when it is written.
    public var createdAt: Int?

    public init(organisationID: String?, userID: String, tokenID: String, model: String, backend: String, endpoint: String,
                promptTokens: Int, completionTokens: Int, latencyMilliseconds: Int, status: Int, createdAt: Int? = nil) {
        self.organisationID = organisationID
        self.userID = userID
        self.tokenID = tokenID
        self.model = model
        self.backend = backend
        self.endpoint = endpoint
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.status = status
        self.createdAt = createdAt
    }
}

/// Usage added up over a period, per model and organisation.
public struct UsageSummary: Sendable, Equatable, Codable {
    public let model: String
    public let organisationID: String?
    public let requests: Int
    public let promptTokens: Int
    public let completionTokens: Int
    public let errors: Int

    enum CodingKeys: String, CodingKey {
        case model, requests, errors
        case organisationID = "organisation_id"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
}
