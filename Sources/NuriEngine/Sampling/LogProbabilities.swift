import Foundation

/// Log-probabilities of the model's distribution over the next token (before sampling
/// adjustments), as OpenAI's `logprobs` reports them.
public struct TokenLogProbabilities: Sendable, Equatable {
    /// The chosen token and its log-probability.
    public let token: Int32
    public let logProbability: Float
    /// The most likely tokens, most likely first.
    public let top: [(token: Int32, logProbability: Float)]

    public static func == (a: Self, b: Self) -> Bool {
        a.token == b.token && a.logProbability == b.logProbability
            && a.top.map(\.token) == b.top.map(\.token) && a.top.map(\.logProbability) == b.top.map(\.logProbability)
    }

    /// log softmax of `logits` at `token`, and the `topCount` most likely tokens.
    public init(logits: UnsafeBufferPointer<Float>, token: Int32, topCount: Int) {
        var maximum = -Float.infinity
        for v in logits { maximum = max(maximum, v) }
        var sum: Double = 0
        for v in logits { sum += Double(expf(v - maximum)) }
        let logSum = maximum + Float(log(sum))
        self.token = token
        logProbability = Int(token) < logits.count ? logits[Int(token)] - logSum : -.infinity
        if topCount > 0 {
            top = Sampler.top(min(topCount, logits.count), of: logits).map { ($0.0, $0.1 - logSum) }
        } else {
            top = []
        }
    }
}
