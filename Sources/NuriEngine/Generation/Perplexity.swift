import Foundation

/// Perplexity as llama.cpp's `llama-perplexity` computes it, so the two can be compared:
/// the text's tokens are cut into chunks of `context` tokens (the remainder is dropped); each
/// chunk is evaluated from an empty cache (its first token replaced by BOS when the model adds
/// one); only the second half of each chunk is scored, each token by −log p(token | the tokens
/// before it in the chunk). The result is exp(mean of those), accumulated over chunks.
public enum Perplexity {
    public struct Result: Sendable {
        /// Chunks evaluated.
        public let chunks: Int
        /// Perplexity after each chunk (running, as llama-perplexity prints it).
        public let running: [Double]
        /// The final perplexity.
        public var value: Double { running.last ?? .nan }
        /// Tokens scored.
        public let scoredTokens: Int
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case tooShort(tokens: Int, context: Int)
        public var description: String {
            switch self {
            case .tooShort(let tokens, let context):
                return "the text has \(tokens) tokens, fewer than the \(context) of one chunk; use a longer text or a smaller --ctx"
            }
        }
    }

    /// - Parameters:
    ///   - bos: the BOS token to put first in each chunk, if the model adds one.
    ///   - progress: called after each chunk with (chunk index, running perplexity).
    public static func compute(model: LanguageModel, tokens: [Int32], context: Int, bos: Int32?,
                               progress: (Int, Double) -> Void = { _, _ in }) throws -> Result {
        guard context >= 2, tokens.count >= context else { throw Failure.tooShort(tokens: tokens.count, context: context) }
        let chunks = tokens.count / context
        let first = context / 2
        let cache = model.makeCache(capacity: context)
        var negativeLogLikelihood: Double = 0
        var count = 0
        var running: [Double] = []
        for chunk in 0..<chunks {
            var input = Array(tokens[chunk * context..<(chunk + 1) * context])
            if let bos { input[0] = bos }
            cache.truncate(to: 0)
            try model.evaluate(input, cache: cache, outputs: Array(first..<context - 1)) { position, logits in
                let target = Int(tokens[chunk * context + position + 1])
                var maximum = -Float.infinity
                for v in logits { maximum = max(maximum, v) }
                var sum: Double = 0
                for v in logits { sum += Double(expf(v - maximum)) }
                negativeLogLikelihood -= Double(logits[target] - maximum) - log(sum)
                count += 1
            }
            running.append(exp(negativeLogLikelihood / Double(count)))
            progress(chunk, running[chunk])
        }
        return Result(chunks: chunks, running: running, scoredTokens: count)
    }
}
