import Foundation

/// Picks tokens from logits: penalties, then greedy or temperature with top-k, top-p and min-p,
/// drawing from a seeded generator so a seed reproduces a run exactly.
///
/// The order follows llama.cpp's default chain: penalties → top-k → top-p → min-p →
/// temperature → draw.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var generator: Xoshiro256
    /// Tokens seen so far (prompt and output), for the penalties.
    private var history: [Int32] = []
    /// Counts of generated tokens, for presence and frequency penalties.
    private var generatedCounts: [Int32: Int] = [:]

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        generator = Xoshiro256(seed: parameters.seed ?? UInt64.random(in: 0...UInt64.max))
    }

    /// Tells the sampler about tokens it did not choose (the prompt), for the repetition penalty.
    public mutating func observe(prompt tokens: [Int32]) {
        history.append(contentsOf: tokens)
    }

    /// Chooses the next token from `logits` and records it.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        let token = choose(logits)
        history.append(token)
        generatedCounts[token, default: 0] += 1
        return token
    }

    private mutating func choose(_ raw: UnsafeBufferPointer<Float>) -> Int32 {
        guard let penalised = applyPenalties(raw) else { return pick(raw) }
        return penalised.withUnsafeBufferPointer { pick($0) }
    }

    private mutating func pick(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        if parameters.temperature <= 0 { return Int32(Self.argmax(logits)) }
        // Candidates sorted by logit, most likely first.
        let k = parameters.topK > 0 ? min(parameters.topK, logits.count) : logits.count
        var candidates = Self.top(k, of: logits)
        // Probabilities at temperature 1 for top-p and min-p, as llama.cpp computes them.
        var probabilities = Self.softmax(candidates.map(\.1))
        if parameters.topP < 1 {
            var cumulative: Float = 0
            var keep = candidates.count
            for (i, p) in probabilities.enumerated() {
                cumulative += p
                if cumulative >= parameters.topP {
                    keep = i + 1
                    break
                }
            }
            candidates = Array(candidates.prefix(keep))
            probabilities = Array(probabilities.prefix(keep))
        }
        if parameters.minP > 0, let first = probabilities.first {
            let threshold = first * parameters.minP
            candidates = Array(candidates.prefix(max(1, probabilities.prefix { $0 >= threshold }.count)))
        }
        let final = Self.softmax(candidates.map { $0.1 / parameters.temperature })
        let draw = Float(Double(generator.next() >> 11) / Double(1 << 53))
        var cumulative: Float = 0
        for (i, p) in final.enumerated() {
            cumulative += p
            if draw < cumulative { return candidates[i].0 }
        }
        return candidates.last?.0 ?? 0
    }

    /// The logits after penalties, or nil when no penalty applies.
    private func applyPenalties(_ logits: UnsafeBufferPointer<Float>) -> [Float]? {
        let p = parameters
        guard p.repetitionPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0 else { return nil }
        var result = Array(logits)
        if p.repetitionPenalty != 1 {
            let window = p.penaltyWindow > 0 ? history.suffix(p.penaltyWindow) : history[...]
            for token in Set(window) where Int(token) < result.count {
                let value = result[Int(token)]
                result[Int(token)] = value > 0 ? value / p.repetitionPenalty : value * p.repetitionPenalty
            }
        }
        for (token, count) in generatedCounts where Int(token) < result.count {
            result[Int(token)] -= p.presencePenalty + p.frequencyPenalty * Float(count)
        }
        return result
    }

    /// Index of the largest value (the first, on ties: llama.cpp's greedy sampler does the same).
    public static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue {
            best = i
            bestValue = v
        }
        return best
    }

    /// The `k` largest (token, logit) pairs, largest first.
    static func top(_ k: Int, of logits: UnsafeBufferPointer<Float>) -> [(Int32, Float)] {
        guard k <= 64 else {
            var pairs = logits.enumerated().map { (Int32($0.offset), $0.element) }
            pairs.sort { $0.1 > $1.1 }
            return Array(pairs.prefix(k))
        }
        // Few candidates: keep a small sorted list instead of sorting the whole vocabulary.
        var best: [(Int32, Float)] = []
        best.reserveCapacity(k + 1)
        for (i, v) in logits.enumerated() where best.count < k || v > best[best.count - 1].1 {
            let at = best.firstIndex { v > $0.1 } ?? best.count
            best.insert((Int32(i), v), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        guard let maximum = logits.max() else { return [] }
        let exps = logits.map { expf($0 - maximum) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}

/// xoshiro256** — a small, fast, well-tested generator whose output depends only on its seed.
struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        // Expand the seed with SplitMix64, as the authors recommend.
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }
}
