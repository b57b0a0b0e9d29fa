import Dispatch
import Foundation
import NuriEngine

/// A model served by ``NuriEngine`` in this process.
///
/// All requests share one ``ContinuousBatcher``: they decode together, a token of each per
/// forward pass, on the batcher's own thread, never on Swift's cooperative threads (a forward
/// pass is long, synchronous work that would starve the server's I/O). A request joins at the
/// next step and leaves when done; finished requests leave their cache for a conversation's next
/// turn, which then evaluates only what is new. A consumer that goes away (a client
/// disconnecting) stops its generation at the next step and frees its place.
public final class LocalBackend: Sendable {

    public let name: String
    public let model: LanguageModel
    public let tokenizer: Tokenizer
    /// When the backend was loaded, for `created` in `/v1/models` (Unix seconds).
    public let created: Int
    /// Where the model runs: in this process, so in Korea and in house.
    public let labels = BackendLabels.local
    private let template: ChatTemplate
    private let bosText: String
    private let eosText: String
    private let batcher: ContinuousBatcher

    /// Loads a GGUF model.
    /// - Parameter maxSequences: requests decoding together; more wait for a place.
    public init(name: String, path: String, threads: Int, contextLength: Int? = nil, maxSequences: Int = 32) throws {
        self.name = name
        model = try LanguageModel(path: path, threads: threads)
        tokenizer = try Tokenizer(gguf: model.file)
        template = try ChatTemplate(source: ChatTemplate.source(for: model.file).source)
        bosText = tokenizer.bosID.flatMap(tokenizer.tokenText) ?? ""
        eosText = tokenizer.eosID.flatMap(tokenizer.tokenText) ?? ""
        batcher = ContinuousBatcher(model: model, tokenizer: tokenizer, contextLength: contextLength, maxSequences: maxSequences)
        created = Int(Date().timeIntervalSince1970)
    }

    /// Tokens the backend's context holds.
    public var contextLength: Int { batcher.contextLength }

    /// Requests in the batch now.
    public var activeSequences: Int { batcher.activeSequences }

    /// The chat rendered with the model's template, as token ids.
    public func chatPrompt(_ messages: [ChatMessage]) throws -> [Int32] {
        let text: String
        do {
            text = try template.render(messages: messages, addGenerationPrompt: true, bosToken: bosText, eosToken: eosText)
        } catch {
            throw GatewayError.invalidRequest(param: "messages", message: "the model's chat template refused these messages: \(error)")
        }
        return tokenizer.encode(text, addSpecial: false, parseSpecial: true)
    }

    /// A plain prompt as token ids (with the BOS the model wants).
    public func textPrompt(_ text: String) -> [Int32] {
        tokenizer.encode(text, addSpecial: true, parseSpecial: false)
    }

    /// Generates from `prompt`, streaming events; cancelling the consumer stops the generation.
    public func generate(prompt: [Int32], options: GenerationOptions) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream(bufferingPolicy: .unbounded)
        let request = ContinuousBatcher.Request(prompt: prompt, maxTokens: options.maxTokens, sampling: options.sampling,
                                                stop: options.stop, logProbabilities: options.logProbabilities)
        let handle = batcher.submit(request, onChunk: { chunk in
            if chunk.token >= 0 || !chunk.text.isEmpty {
                continuation.yield(.token(id: chunk.token, text: chunk.text, logProbabilities: chunk.logProbabilities))
            }
            return true
        }, onFinish: { result in
            switch result {
            case .success(let summary):
                continuation.yield(.finished(promptTokens: summary.promptTokens, completionTokens: summary.generatedTokens.count,
                                             reason: summary.finishReason))
                continuation.finish()
            case .failure(.contextFull(let limit, let needed)):
                continuation.finish(throwing: GatewayError.contextLengthExceeded(limit: limit, requested: needed))
            case .failure(let error):
                continuation.finish(throwing: GatewayError.invalidRequest(param: nil, message: "\(error)"))
            }
        })
        continuation.onTermination = { termination in
            if case .cancelled = termination { handle.cancel() }
        }
        return stream
    }

    /// Log-probabilities of each prompt token given the ones before it (the first has none),
    /// with `top` alternatives: what `echo` + `logprobs` report.
    public func scorePrompt(_ prompt: [Int32], top: Int) async throws -> [TokenLogProbabilities?] {
        try await withCheckedThrowingContinuation { continuation in
            batcher.perform { [model] in
                do {
                    guard prompt.count <= model.config.trainedContextLength else {
                        throw GatewayError.contextLengthExceeded(limit: model.config.trainedContextLength, requested: prompt.count)
                    }
                    var result: [TokenLogProbabilities?] = [nil]
                    let cache = model.makeCache(capacity: max(prompt.count, 1))
                    try model.evaluate(prompt, cache: cache, outputs: Array(0..<max(prompt.count - 1, 0))) { index, logits in
                        result.append(TokenLogProbabilities(logits: logits, token: prompt[index + 1], topCount: top))
                    }
                    continuation.resume(returning: Array(result.prefix(prompt.count)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
