/// The token-by-token logic of one generation, apart from the forward pass: sampling, the end
/// of generation, stop strings, the text a client may see, and why it ended. ``Session`` drives
/// one with its own cache; ``ContinuousBatcher`` drives many in one batch.
struct Continuation {
    let tokenizer: Tokenizer
    let maxTokens: Int
    let logProbabilities: Int?
    private var sampler: Sampler
    private var decoder: StreamingDecoder
    private var matcher: StopStringMatcher
    private(set) var generated: [Int32] = []
    private(set) var text = ""
    private(set) var finishReason: Session.FinishReason?
    private var stoppedByString = false

    init(tokenizer: Tokenizer, prompt: [Int32], maxTokens: Int, sampling: SamplingParameters, stop: [String], logProbabilities: Int?) {
        self.tokenizer = tokenizer
        self.maxTokens = maxTokens
        self.logProbabilities = logProbabilities
        sampler = Sampler(sampling)
        sampler.observe(prompt: prompt)
        decoder = StreamingDecoder(tokenizer: tokenizer)
        matcher = StopStringMatcher(stop)
        if maxTokens <= 0 { finishReason = .length }
    }

    var isFinished: Bool { finishReason != nil }

    /// Samples the next token from `logits`. Returns the chunk to emit, or nil when the model
    /// ended the generation (the end token is not emitted). Sets ``finishReason`` when a stop
    /// string matched or `maxTokens` are reached.
    mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Session.Chunk? {
        let token = sampler.sample(logits)
        let probabilities = logProbabilities.map { TokenLogProbabilities(logits: logits, token: token, topCount: $0) }
        if tokenizer.isEndOfGeneration(token) {
            finishReason = .stop
            return nil
        }
        generated.append(token)
        let emitted: String
        switch matcher.append(decoder.append(token)) {
        case .text(let piece): emitted = piece
        case .stop(let piece):
            emitted = piece
            stoppedByString = true
            finishReason = .stop
        }
        text += emitted
        if finishReason == nil, generated.count >= maxTokens { finishReason = .length }
        return Session.Chunk(token: token, text: emitted, logProbabilities: probabilities)
    }

    /// The caller stopped the generation (a client went away).
    mutating func cancel() { finishReason = .cancelled }

    /// The sequence's context is full: the generation ends as if `maxTokens` were reached.
    mutating func contextFull() { if finishReason == nil { finishReason = .length } }

    /// The last chunk: what was held back (an incomplete character, or the start of a stop
    /// string that never completed, unless the flushed bytes complete one), if anything.
    mutating func finish() -> Session.Chunk? {
        if finishReason == nil { finishReason = .length }
        guard !stoppedByString else { return nil }
        let tail: String
        switch matcher.append(decoder.finish()) {
        case .text(let piece): tail = piece + matcher.finish()
        case .stop(let piece):
            tail = piece
            finishReason = .stop
        }
        guard !tail.isEmpty else { return nil }
        text += tail
        return Session.Chunk(token: -1, text: tail, logProbabilities: nil)
    }

    func summary(promptTokens: Int, reusedTokens: Int) -> Session.Summary {
        Session.Summary(promptTokens: promptTokens, reusedTokens: reusedTokens, generatedTokens: generated, text: text,
                        finishReason: finishReason ?? .length)
    }
}
