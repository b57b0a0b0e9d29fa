import Foundation
import NuriEngine
import Testing

@Suite("Sampling")
struct SamplerTests {
    let logits: [Float] = [1.0, 3.0, 2.5, -1.0, 0.5, 2.9]

    func draw(_ parameters: SamplingParameters, times: Int = 200) -> [Int32] {
        var sampler = Sampler(parameters)
        return (0..<times).map { _ in logits.withUnsafeBufferPointer { sampler.sample($0) } }
    }

    @Test("greedy picks the largest logit")
    func greedy() {
        #expect(Set(draw(.greedy, times: 5)) == [1])
    }

    @Test("a seed reproduces a run; another seed gives another run")
    func seeded() {
        let a = draw(.init(temperature: 1, seed: 42)), b = draw(.init(temperature: 1, seed: 42)), c = draw(.init(temperature: 1, seed: 43))
        #expect(a == b)
        #expect(a != c)
    }

    @Test("top-k, top-p and min-p keep only the likely tokens")
    func truncation() {
        #expect(Set(draw(.init(temperature: 5, topK: 2, seed: 1))) == [1, 5])
        // At temperature 1 the top three (3.0, 2.9, 2.5) hold ≈ 0.82 of the mass.
        #expect(Set(draw(.init(temperature: 5, topP: 0.7, seed: 1))).isSubset(of: [1, 5, 2]))
        // min-p 0.7: tokens with p ≥ 0.7·p(3.0), i.e. logit ≥ 3.0 + ln 0.7 ≈ 2.64: 3.0 and 2.9.
        #expect(Set(draw(.init(temperature: 5, minP: 0.7, seed: 1))) == [1, 5])
    }

    @Test("penalties push repeated tokens down")
    func penalties() {
        var sampler = Sampler(.init(frequencyPenalty: 1))
        let first = logits.withUnsafeBufferPointer { sampler.sample($0) }
        let second = logits.withUnsafeBufferPointer { sampler.sample($0) }
        #expect(first == 1 && second == 5)
        var repeated = Sampler(.init(repetitionPenalty: 2))
        repeated.observe(prompt: [1, 5])
        #expect(logits.withUnsafeBufferPointer { repeated.sample($0) } == 2)
    }

    @Test("log-probabilities are a normalised log-softmax with the top tokens in order")
    func logProbabilities() {
        let result = logits.withUnsafeBufferPointer { TokenLogProbabilities(logits: $0, token: 2, topCount: 3) }
        let total = logits.map { exp(Double($0)) }.reduce(0, +)
        #expect(abs(Double(result.logProbability) - (2.5 - log(total))) < 1e-5)
        #expect(result.top.map(\.token) == [1, 5, 2])
        #expect(result.top.allSatisfy { $0.logProbability <= 0 })
    }
}

@Suite("Stop strings")
struct StopStringTests {
    @Test("text that might start a stop string is held back until decided")
    func holdBack() {
        var matcher = StopStringMatcher(["</answer>"])
        #expect(matcher.append("Seoul is the capital</") == .text("Seoul is the capital"))
        #expect(matcher.append("ans") == .text(""))
        #expect(matcher.append("wer> and more") == .stop(""))
    }

    @Test("a false start is released when it stops matching")
    func falseStart() {
        var matcher = StopStringMatcher(["\n\nUser:"])
        #expect(matcher.append("one\n\n") == .text("one"))
        #expect(matcher.append("Users") == .text("\n\nUsers"))
        #expect(matcher.finish() == "")
    }

    @Test("the earliest of several stop strings wins, and Korean text is handled by characters")
    func several() {
        var matcher = StopStringMatcher(["끝.", "STOP"])
        #expect(matcher.append("서울입니다 STOP 끝.") == .stop("서울입니다 "))
        var held = StopStringMatcher(["끝."])
        #expect(held.append("대답 끝") == .text("대답 "))
        #expect(held.finish() == "끝")
    }
}
