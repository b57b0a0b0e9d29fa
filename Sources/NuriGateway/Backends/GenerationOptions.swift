import NuriEngine

/// What a caller asks of one generation, after the API request is validated.
public struct GenerationOptions: Sendable {
    public var maxTokens: Int
    public var sampling: SamplingParameters
    public var stop: [String]
    /// Top alternatives to report per token, or nil for no log-probabilities.
    public var logProbabilities: Int?

    public init(maxTokens: Int, sampling: SamplingParameters, stop: [String], logProbabilities: Int?) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stop = stop
        self.logProbabilities = logProbabilities
    }
}

/// What a generation streams back.
public enum GenerationEvent: Sendable {
    /// A token and the text it makes visible (possibly empty).
    case token(id: Int32, text: String, logProbabilities: TokenLogProbabilities?)
    /// The end, with the counts for usage.
    case finished(promptTokens: Int, completionTokens: Int, reason: Session.FinishReason)
}
