/// One sequence being generated: a model, its tokenizer and a KV cache that remembers the tokens
/// already evaluated, so that a conversation's next turn only evaluates what is new.
public final class Session: @unchecked Sendable {
    // @unchecked: a session is driven by one caller at a time.

    public let model: LanguageModel
    public let tokenizer: Tokenizer
    let cache: KVCache
    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var tokens: [Int32] = []

    /// - Parameter contextLength: tokens the session can hold (default: the model's trained
    ///   context, at most 4096).
    public init(model: LanguageModel, tokenizer: Tokenizer, contextLength: Int? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        cache = model.makeCache(capacity: contextLength)
    }

    /// Tokens the session can hold.
    public var contextLength: Int { cache.capacity }

    /// Why generation ended.
    public enum FinishReason: String, Sendable, Equatable {
        /// The model produced an end-of-generation token, or a stop string matched.
        case stop
        /// `maxTokens` were generated, or the context is full.
        case length
        /// The caller asked to stop.
        case cancelled
    }

    /// A piece of output as it is produced.
    public struct Chunk: Sendable {
        /// The token sampled.
        public let token: Int32
        /// Text that may be shown now (empty while a multi-byte character or a possible stop
        /// string is still incomplete).
        public let text: String
        /// Log-probabilities, when asked for.
        public let logProbabilities: TokenLogProbabilities?
    }

    /// What a generation produced.
    public struct Summary: Sendable {
        public let promptTokens: Int
        /// Prompt tokens that were already in the cache and not evaluated again.
        public let reusedTokens: Int
        public let generatedTokens: [Int32]
        public let text: String
        public let finishReason: FinishReason
    }

    /// Generates a continuation of `prompt` (the whole sequence so far: a shared prefix with what
    /// the cache holds is reused).
    ///
    /// - Parameters:
    ///   - logProbabilities: when set, the number of top alternatives to report with each token.
    ///   - onChunk: receives each token and its text; returning false stops generation.
    public func generate(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters = .greedy, stop: [String] = [],
                         logProbabilities: Int? = nil, onChunk: (Chunk) -> Bool = { _ in true }) throws(EngineError) -> Summary {
        guard !prompt.isEmpty else { throw .invalidToken(-1, vocabularySize: model.config.vocabularySize) }
        guard prompt.count < cache.capacity else { throw .contextFull(limit: cache.capacity, needed: prompt.count + 1) }
        // Reuse the longest common prefix; at least the last prompt token is evaluated again,
        // because its logits are needed.
        let shared = Self.reusablePrefix(of: tokens, for: prompt)
        cache.truncate(to: shared)
        tokens = Array(prompt[..<shared])
        var logits = try model.evaluate(Array(prompt[shared...]), cache: cache)
        tokens = prompt

        var continuation = Continuation(tokenizer: tokenizer, prompt: prompt, maxTokens: maxTokens, sampling: sampling, stop: stop,
                                        logProbabilities: logProbabilities)
        while !continuation.isFinished {
            guard let chunk = logits.withUnsafeBufferPointer({ continuation.sample($0) }) else { break }
            if !onChunk(chunk) {
                continuation.cancel()
                break
            }
            if continuation.isFinished { break }
            guard cache.count < cache.capacity else {
                continuation.contextFull()
                break
            }
            logits = try model.evaluate([chunk.token], cache: cache)
            tokens.append(chunk.token)
        }
        if let tail = continuation.finish() { _ = onChunk(tail) }
        return continuation.summary(promptTokens: prompt.count, reusedTokens: shared)
    }

    /// How many of the `cached` tokens a generation from `prompt` can keep: the common prefix,
    /// short of the prompt's last token, whose logits are needed.
    static func reusablePrefix(of cached: [Int32], for prompt: [Int32]) -> Int {
        var shared = 0
        while shared < min(cached.count, prompt.count - 1), cached[shared] == prompt[shared] { shared += 1 }
        return shared
    }

    /// Forgets the cached tokens (a new conversation).
    public func reset() {
        cache.truncate(to: 0)
        tokens = []
    }
}
