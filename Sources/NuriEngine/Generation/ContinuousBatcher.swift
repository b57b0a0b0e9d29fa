import Foundation
import Synchronization

/// Many generations on one model at once: every step evaluates one token of each decoding
/// sequence, and a slice of the prompts of those joining, in a single forward pass, so each
/// weight is read once per step for all of them. Requests join between steps and leave when
/// they finish; each has its own ``KVCache``, which grows in blocks as it is used.
///
/// The batch runs on its own thread (a forward pass is long synchronous work that must not
/// block Swift's cooperative pool). Callbacks are called on that thread, in order, and must be
/// quick. Finished sequences leave their cache behind, with the tokens it holds, for a later
/// request that starts with the same tokens (the next turn of a conversation, a shared system
/// prompt): only the new tokens are evaluated.
public final class ContinuousBatcher: @unchecked Sendable {
    // @unchecked: `inbox`, `tasks` and `stopping` are guarded by `condition`; `active` and
    // `idle` are touched by the batch thread only.

    /// What a caller asks for.
    public struct Request: Sendable {
        public var prompt: [Int32]
        public var maxTokens: Int
        public var sampling: SamplingParameters
        public var stop: [String]
        /// Top alternatives to report per token, or nil.
        public var logProbabilities: Int?

        public init(prompt: [Int32], maxTokens: Int, sampling: SamplingParameters = .greedy, stop: [String] = [],
                    logProbabilities: Int? = nil) {
            self.prompt = prompt
            self.maxTokens = maxTokens
            self.sampling = sampling
            self.stop = stop
            self.logProbabilities = logProbabilities
        }
    }

    /// Stops a generation at the next step, from any thread.
    public final class Handle: Sendable {
        let cancelled = Atomic<Bool>(false)
        public func cancel() { cancelled.store(true, ordering: .relaxed) }
    }

    public let model: LanguageModel
    public let tokenizer: Tokenizer
    /// Tokens each sequence can hold.
    public let contextLength: Int
    /// Sequences decoding together; more requests wait for a place.
    public let maxSequences: Int
    /// Prompt tokens evaluated per step besides the decoding rows (a long prompt is spread over
    /// several steps so that the others keep decoding).
    public let prefillTokens: Int
    /// Finished sequences' caches kept for reuse.
    public let idleCaches: Int

    private let condition = NSCondition()
    private var inbox: [Member] = []
    private var tasks: [@Sendable () -> Void] = []
    private var stopping = false
    private let decoding = Atomic<Int>(0)

    private var active: [Member] = []
    private var idle: [(cache: KVCache, tokens: [Int32])] = []

    /// One request in the batch: its cache, what it still has to read, its token logic.
    final class Member {
        let request: Request
        let handle: Handle
        let onChunk: @Sendable (Session.Chunk) -> Bool
        let onFinish: @Sendable (Result<Session.Summary, EngineError>) -> Void
        var cache: KVCache?
        /// Tokens in the cache, in order.
        var tokens: [Int32] = []
        /// Prompt tokens still to evaluate.
        var pending: ArraySlice<Int32> = []
        var reused = 0
        var continuation: Continuation
        /// The token sampled last, to evaluate in the next step.
        var next: Int32?

        init(request: Request, handle: Handle, tokenizer: Tokenizer, onChunk: @escaping @Sendable (Session.Chunk) -> Bool,
             onFinish: @escaping @Sendable (Result<Session.Summary, EngineError>) -> Void) {
            self.request = request
            self.handle = handle
            self.onChunk = onChunk
            self.onFinish = onFinish
            continuation = Continuation(tokenizer: tokenizer, prompt: request.prompt, maxTokens: request.maxTokens,
                                        sampling: request.sampling, stop: request.stop, logProbabilities: request.logProbabilities)
        }
    }

    /// - Parameters:
    ///   - contextLength: tokens per sequence (default: the model's trained context, at most 4096).
    ///   - maxSequences: sequences in one batch.
    public init(model: LanguageModel, tokenizer: Tokenizer, contextLength: Int? = nil, maxSequences: Int = 32,
                prefillTokens: Int = 128, idleCaches: Int = 4) {
        self.model = model
        self.tokenizer = tokenizer
        self.contextLength = max(2, contextLength ?? min(model.config.trainedContextLength, 4_096))
        self.maxSequences = max(1, maxSequences)
        self.prefillTokens = max(1, prefillTokens)
        self.idleCaches = max(0, idleCaches)
        let thread = Thread { [self] in run() }
        thread.name = "nuri.batch"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Sequences in the batch now (decoding or reading their prompt).
    public var activeSequences: Int { decoding.load(ordering: .relaxed) }

    /// Starts a generation of a continuation of `request.prompt`. `onChunk` receives each token
    /// and the text it makes visible (returning false stops the generation); `onFinish` is called
    /// once, last, with the summary or why the request was refused.
    @discardableResult
    public func submit(_ request: Request, onChunk: @escaping @Sendable (Session.Chunk) -> Bool,
                       onFinish: @escaping @Sendable (Result<Session.Summary, EngineError>) -> Void) -> Handle {
        let handle = Handle()
        let sequence = Member(request: request, handle: handle, tokenizer: tokenizer, onChunk: onChunk, onFinish: onFinish)
        condition.withLock {
            inbox.append(sequence)
            condition.signal()
        }
        return handle
    }

    /// Runs `work` on the batch thread between two steps (it may use the model alone).
    public func perform(_ work: @escaping @Sendable () -> Void) {
        condition.withLock {
            tasks.append(work)
            condition.signal()
        }
    }

    /// Stops the batch thread; sequences still running finish as cancelled.
    public func shutdown() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func run() {
        while true {
            condition.lock()
            while inbox.isEmpty && tasks.isEmpty && active.isEmpty && !stopping { condition.wait() }
            if stopping {
                let waiting = inbox
                inbox = []
                condition.unlock()
                for sequence in active + waiting {
                    sequence.continuation.cancel()
                    finish(sequence)
                }
                active = []
                decoding.store(0, ordering: .relaxed)
                return
            }
            let work = tasks
            tasks = []
            let joining = inbox.prefix(max(0, maxSequences - active.count))
            inbox.removeFirst(joining.count)
            condition.unlock()
            for task in work { task() }
            for sequence in joining { admit(sequence) }
            step()
            decoding.store(active.count, ordering: .relaxed)
        }
    }

    /// Checks a request and gives it a cache: an idle one holding the longest prefix of its
    /// prompt, else a new one.
    private func admit(_ sequence: Member) {
        let prompt = sequence.request.prompt
        let vocabulary = model.config.vocabularySize
        if prompt.isEmpty {
            return sequence.onFinish(.failure(.invalidToken(-1, vocabularySize: vocabulary)))
        }
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            return sequence.onFinish(.failure(.invalidToken(bad, vocabularySize: vocabulary)))
        }
        guard prompt.count < contextLength else {
            return sequence.onFinish(.failure(.contextFull(limit: contextLength, needed: prompt.count + 1)))
        }
        if sequence.handle.cancelled.load(ordering: .relaxed) { sequence.continuation.cancel() }
        if sequence.continuation.isFinished { return finish(sequence) }
        var best: Int?, bestShared = -1
        for (i, entry) in idle.enumerated() {
            let shared = Session.reusablePrefix(of: entry.tokens, for: prompt)
            if shared > bestShared { (best, bestShared) = (i, shared) }
        }
        if let best {
            let entry = idle.remove(at: best)
            entry.cache.truncate(to: bestShared)
            sequence.cache = entry.cache
            sequence.reused = bestShared
        } else {
            sequence.cache = model.makeCache(capacity: contextLength)
        }
        sequence.tokens = Array(prompt[..<sequence.reused])
        sequence.pending = prompt[sequence.reused...]
        active.append(sequence)
    }

    /// One forward pass over every active sequence.
    private func step() {
        var inputs: [LanguageModel.SequenceInput] = []
        var members: [Member] = []
        let decodingRows = active.count(where: { $0.pending.isEmpty })
        var budget = max(prefillTokens - decodingRows, 16)
        for sequence in active {
            if sequence.handle.cancelled.load(ordering: .relaxed) {
                sequence.continuation.cancel()
                continue
            }
            guard let cache = sequence.cache else { continue }
            if !sequence.pending.isEmpty {
                guard budget > 0 else { continue }
                let take = min(budget, sequence.pending.count)
                budget -= take
                let tokens = Array(sequence.pending.prefix(take))
                inputs.append(.init(cache: cache, tokens: tokens, outputs: take == sequence.pending.count ? [take - 1] : []))
                members.append(sequence)
            } else if let next = sequence.next {
                inputs.append(.init(cache: cache, tokens: [next]))
                members.append(sequence)
            }
        }
        if !inputs.isEmpty {
            do {
                try model.evaluate(inputs) { index, _, logits in
                    let sequence = members[index]
                    guard let chunk = sequence.continuation.sample(logits) else {
                        sequence.next = nil
                        return
                    }
                    sequence.next = chunk.token
                    if !sequence.onChunk(chunk) { sequence.continuation.cancel() }
                }
            } catch {
                // Requests are checked when they join, so this is not expected; fail this step's sequences.
                for sequence in members {
                    sequence.cache = nil
                    sequence.onFinish(.failure(error))
                }
                active.removeAll { member in members.contains { $0 === member } }
                return
            }
            for (sequence, input) in zip(members, inputs) {
                sequence.tokens += input.tokens
                sequence.pending = sequence.pending.dropFirst(input.tokens.count)
            }
        }
        var remaining: [Member] = []
        remaining.reserveCapacity(active.count)
        for sequence in active {
            if !sequence.continuation.isFinished, sequence.pending.isEmpty, let cache = sequence.cache, cache.count >= cache.capacity {
                sequence.continuation.contextFull()
            }
            if sequence.continuation.isFinished {
                finish(sequence)
            } else {
                remaining.append(sequence)
            }
        }
        active = remaining
    }

    /// Sends the last chunk and the summary, and keeps the cache for reuse.
    private func finish(_ sequence: Member) {
        if let tail = sequence.continuation.finish() { _ = sequence.onChunk(tail) }
        sequence.onFinish(.success(sequence.continuation.summary(promptTokens: sequence.request.prompt.count,
                                                                 reusedTokens: sequence.reused)))
        if let cache = sequence.cache, idleCaches > 0 {
            idle.append((cache, sequence.tokens))
            if idle.count > idleCaches { idle.removeFirst() }
        }
        sequence.cache = nil
    }
}
