import Foundation
@testable import NuriEngine
import Testing

@Suite("Attention")
struct AttentionTests {
    @Test("the vector exponential is within f32 rounding of expf over softmax's range, and finite beyond")
    func exponential() {
        var worst: Float = 0
        var x: Float = -87
        while x <= 0 {
            let lanes = VectorMath.exp8(SIMD8<Float>(x, x * 0.5, x * 0.25, x * 0.125, x / 3, x / 7, x / 100, x / 1_000))
            for lane in 0..<8 {
                let input = [x, x * 0.5, x * 0.25, x * 0.125, x / 3, x / 7, x / 100, x / 1_000][lane]
                let exact = expf(input)
                worst = max(worst, abs(lanes[lane] - exact) / exact)
            }
            x += 0.0137
        }
        #expect(worst < 4e-7, "worst relative error \(worst)")
        // SwiGLU takes e^−x of any activation: large arguments stay finite (x / (1 + e^−x) → 0, not NaN).
        let extremes = VectorMath.exp8(SIMD8<Float>(200, 88, 100, -200, -1_000, 1_000, 0, 1))
        #expect(extremes[0].isFinite && extremes[5].isFinite && extremes[3] >= 0 && extremes[4] >= 0)
        #expect(abs(extremes[7] - Float(M_E)) < 1e-6 && extremes[6] == 1)
    }

    /// Attention over a real model's cache shape filled with random keys and values, against
    /// the textbook formula in Double: the prompt path (≥ 64 rows of one sequence) to f32
    /// rounding, the one-row path (f16 accumulation, as ggml) to f16 rounding.
    @Test("both paths compute softmax(q·K/√d)·V", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"),
          arguments: [70, 3])
    func againstDouble(rowsInPass: Int) throws {
        let file = try GGUFFile(path: try #require(TestModels.smolLM2))
        let config = try ModelConfig(file: file)
        let headSize = config.headSize, heads = config.headCount, kvHeads = config.kvHeadCount
        let positions = 90
        let cache = KVCache(config: config, capacity: 128)
        cache.reserve(positions)
        var generator = SeededGenerator(seed: 9)
        func random() -> Float { Float(Double(generator.next() % 20_000) / 10_000 - 1) }
        for p in 0..<positions {
            for i in 0..<kvHeads * headSize {
                cache.keys(layer: 0, position: p)[i] = Float16(random() * 2)
                cache.values(layer: 0, position: p)[i] = Float16(random())
            }
        }
        cache.count = positions
        let first = positions - rowsInPass
        let queries = (0..<rowsInPass * heads * headSize).map { _ in random() * 2 }
        let workspace = Workspace(config: config, batch: 128, threads: 2)
        for r in 0..<rowsInPass {
            workspace.rowPositions[r] = first + r
            workspace.rowOwners[r] = 0
        }
        let rows = Rows(count: rowsInPass, positions: workspace.rowPositions, owners: workspace.rowOwners, caches: [cache])
        let shape = Attention.Shape(heads: heads, kvHeads: kvHeads, headSize: headSize, scale: 1 / Float(headSize).squareRoot(), window: nil)
        var output = [Float](repeating: .nan, count: rowsInPass * heads * headSize)
        queries.withUnsafeBufferPointer { q in
            output.withUnsafeMutableBufferPointer { o in
                Attention.attend(queries: q.baseAddress!, rows: rows, layer: 0, shape: shape, output: o.baseAddress!,
                                 workspace: workspace, parallel: Parallel(threads: 2))
            }
        }
        var worst = 0.0
        for r in 0..<rowsInPass {
            for h in 0..<heads {
                let kv = h / (heads / kvHeads), position = first + r
                let query = (0..<headSize).map { Double(queries[(r * heads + h) * headSize + $0]) }
                let scores = (0...position).map { j in
                    (0..<headSize).reduce(0.0) { $0 + query[$1] * Double(cache.keys(layer: 0, position: j)[kv * headSize + $1]) } / Double(headSize).squareRoot()
                }
                let top = scores.max() ?? 0
                let weights = scores.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<headSize {
                    let exact = (0...position).reduce(0.0) { $0 + weights[$1] * Double(cache.values(layer: 0, position: $1)[kv * headSize + d]) } / total
                    worst = max(worst, abs(Double(output[(r * heads + h) * headSize + d]) - exact))
                }
            }
        }
        // Values are within ±1. Measured: 2.7e-7 (f32) and 1.3e-3 (ggml's f16 accumulator, rounded at every key).
        #expect(worst < (rowsInPass >= Attention.promptRows ? 1e-5 : 5e-3), "largest difference \(worst)")
        print("attention, \(rowsInPass) rows: largest difference from Double \(worst)")
    }

    /// A prompt split over two passes of at least `promptRows` rows each gives the same bits as
    /// in one pass: each row's attention does not depend on the others in its pass.
    @Test("a prompt's logits are the same in one pass or in two", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func promptSplitOverPasses() throws {
        let model = try LanguageModel(path: try #require(TestModels.smolLM2))
        let prompt = (0..<128).map { Int32(200 + ($0 * 37) % 5_000) }
        let wanted = [70, 99, 127]
        var together: [Int: [Float]] = [:], apart: [Int: [Float]] = [:]
        try model.evaluate(prompt, cache: model.makeCache(capacity: 128), outputs: wanted) { together[$0] = Array($1) }
        let cache = model.makeCache(capacity: 128)
        for start in [0, 64] {
            try model.evaluate(Array(prompt[start..<start + 64]), cache: cache,
                               outputs: wanted.filter { (start..<start + 64).contains($0) }.map { $0 - start }) { apart[start + $0] = Array($1) }
        }
        #expect(together == apart)
    }
}
