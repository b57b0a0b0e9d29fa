/// How the next token is chosen. The defaults are greedy decoding.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 means greedy (always the most likely token).
    public var temperature: Float = 0
    /// Keep only the `topK` most likely tokens (0: all).
    public var topK: Int = 0
    /// Keep the most likely tokens whose probabilities add up to `topP` (1: all).
    public var topP: Float = 1
    /// Drop tokens less likely than `minP` × the most likely one's probability (0: none).
    public var minP: Float = 0
    /// Divide positive logits of recently seen tokens by this (multiply negative ones); 1: off.
    public var repetitionPenalty: Float = 1
    /// Subtract this from the logits of tokens already generated (OpenAI's presence_penalty).
    public var presencePenalty: Float = 0
    /// Subtract this × the count of each token already generated (OpenAI's frequency_penalty).
    public var frequencyPenalty: Float = 0
    /// How many of the last tokens the penalties look at (0: all of the context).
    public var penaltyWindow: Int = 64
    /// Seed for reproducible sampling; nil picks one at random.
    public var seed: UInt64?

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0, repetitionPenalty: Float = 1,
                presencePenalty: Float = 0, frequencyPenalty: Float = 0, penaltyWindow: Int = 64, seed: UInt64? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.penaltyWindow = penaltyWindow
        self.seed = seed
    }

    /// Greedy decoding.
    public static let greedy = SamplingParameters()
}
