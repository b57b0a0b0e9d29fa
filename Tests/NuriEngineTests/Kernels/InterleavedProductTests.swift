import Foundation
@testable import NuriEngine
import Testing

/// The AVX-512 VNNI kernels over repacked weights (InterleavedWeights) on real matrices: within
/// float rounding of the exact product of the same quantised operands, and the same bits for a
/// token whatever the number of tokens multiplied with it (a sequence alone or in a batch).
@Suite("Interleaved AVX-512 products", .enabled(if: CPUFeatures.avx512VNNI, "the CPU has no AVX-512 VNNI (or NURI_KERNELS=avx2)"))
struct InterleavedProductTests {
    /// Products of `rows` rows of `w` (all its rows by default) with `tokens` random activation rows.
    static func check(_ w: WeightMatrix, rows: Int? = nil, tokens: Int, sample: Int = 1) throws {
        let rows = rows ?? w.rows
        let packed = try #require(InterleavedWeights(type: w.type, base: w.base, rows: rows, columns: w.columns, rowBytes: w.rowBytes))
        var generator = SeededGenerator(seed: UInt64(tokens) + 3)
        let input = (0..<tokens * w.columns).map { _ in Float(Double(generator.next() % 20_000) / 10_000 - 1) }
        let format = packed.activationFormat, activationBytes = format.rowBytes(w.columns)
        var activations = [UInt8](repeating: 0, count: tokens * activationBytes)
        input.withUnsafeBufferPointer { x in
            activations.withUnsafeMutableBytes { a in
                for t in 0..<tokens {
                    ActivationQuantizer.quantize(x.baseAddress! + t * w.columns, count: w.columns, to: a.baseAddress! + t * activationBytes, format: format)
                }
            }
        }
        func products(tokens range: Range<Int>) -> [Float] {
            var output = [Float](repeating: .nan, count: range.count * rows)
            activations.withUnsafeBytes { a in
                output.withUnsafeMutableBufferPointer { y in
                    packed.multiply(activations: a.baseAddress! + range.lowerBound * activationBytes, activationBytes: activationBytes,
                                    tokens: range.count, rows: rows, groups: 0..<packed.groups, output: y.baseAddress!)
                }
            }
            return output
        }
        let all = products(tokens: 0..<tokens)
        // Each token alone gives the same bits as within the batch.
        for t in 0..<tokens {
            let alone = products(tokens: t..<t + 1)
            #expect(alone.map(\.bitPattern) == all[t * rows..<(t + 1) * rows].map(\.bitPattern), "\(w.name): token \(t) alone")
        }
        // Against the AVX2 kernel on the same quantised operands (Q8_0 for the offset types: the
        // same values and f16 scale; Q8_1, with its f16-rounded d·Σq, for Q4_1), within float
        // rounding of Σ|w·a|.
        let classic = ActivationFormat(weights: w.type)
        var classicRow = [UInt8](repeating: 0, count: classic.rowBytes(w.columns))
        var weights = [Float](repeating: 0, count: w.columns)
        var worst = 0.0
        for t in 0..<tokens {
            activations.withUnsafeBytes { a in
                let source = a.baseAddress! + t * activationBytes
                classicRow.withUnsafeMutableBytes { c in
                    if classic == format { c.copyMemory(from: UnsafeRawBufferPointer(start: source, count: activationBytes)) }
                    // Q4_K's: Q8_K blocks of 256 (d, 256 q, 16 sums of 16) from the 40-byte blocks.
                    for k in 0..<w.columns / 256 where classic == .q8_K {
                        let target = c.baseAddress! + 292 * k
                        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 320 * k, as: Float.self), as: Float.self)
                        for j in 0..<8 { (target + 4 + 32 * j).copyMemory(from: source + 320 * k + 40 * j + 8, byteCount: 32) }
                        for group in 0..<16 {
                            var sum: Int16 = 0
                            for l in 0..<16 { sum += Int16(target.load(fromByteOffset: 4 + 16 * group + l, as: Int8.self)) }
                            target.storeBytes(of: sum, toByteOffset: 260 + 2 * group, as: Int16.self)
                        }
                    }
                    for b in 0..<w.columns / 32 where classic == .q8_0 {
                        let block = source + 40 * b, target = c.baseAddress! + 34 * b
                        target.storeBytes(of: Float16(block.loadUnaligned(as: Float.self)), as: Float16.self)
                        (target + 2).copyMemory(from: block + 8, byteCount: 32)
                    }
                }
            }
            let a = activations.withUnsafeBytes {
                DotProductTests.dequantizedActivations($0.baseAddress! + t * activationBytes, format: format, count: w.columns)
            }
            for r in stride(from: 0, to: rows, by: sample) {
                weights.withUnsafeMutableBufferPointer { Dequantize.row(w.type, from: w.base + r * w.rowBytes, to: $0.baseAddress!, count: w.columns) }
                let magnitude = zip(weights, a).reduce(0.0) { $0 + abs(Double($1.0) * $1.1) }
                let reference = classicRow.withUnsafeBytes { DotProducts.dot(w.type, w.base + r * w.rowBytes, $0.baseAddress!, count: w.columns) }
                worst = max(worst, abs(Double(all[t * rows + r]) - Double(reference)) / max(magnitude, 1e-3))
            }
        }
        #expect(worst <= 1e-5, "\(w.name) (\(w.type)): worst relative difference \(worst)")
    }

    @Test("SmolLM2's Q4_1 and Q8_0 matrices", .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func smolLM2() throws {
        let file = try GGUFFile(path: try #require(TestModels.smolLM2))
        let gate = WeightMatrix(try #require(file.tensors.first { $0.name == "blk.0.ffn_gate.weight" }), in: file, repack: false)
        let down = WeightMatrix(try #require(file.tensors.first { $0.name == "blk.3.ffn_down.weight" }), in: file, repack: false)
        let output = WeightMatrix(try #require(file.tensors.first { $0.name == "token_embd.weight" }), in: file, repack: false)
        #expect(gate.type == .q4_1 && output.type == .q8_0)
        try Self.check(gate, tokens: 13)
        try Self.check(down, tokens: 5)
        try Self.check(output, tokens: 2, sample: 97)
        // A last group of fewer than 16 rows: only those rows are written.
        try Self.check(gate, rows: 21, tokens: 5)
    }

    @Test("Gemma 3's Q5_0 and Q8_0 matrices", .enabled(if: TestModels.gemma3 != nil, "run `make models`"))
    func gemma3() throws {
        let file = try GGUFFile(path: try #require(TestModels.gemma3))
        for type in [GGMLType.q5_0, .q8_0, .q4_K, .q6_K] {
            let tensor = try #require(file.tensors.first { $0.type == type && $0.name.hasPrefix("blk.") })
            try Self.check(WeightMatrix(tensor, in: file, repack: false), tokens: 5)
        }
    }

    @Test("Q4_0 blocks (no model here uses them): built from the dequantisation fixture's random blocks")
    func q4_0() throws {
        let (bytes, count) = try DotProductTests.weights(.q4_0)
        // The fixture's blocks as one row, repeated to make 18 rows.
        let rows = 18
        let row = Array(bytes.prefix(count / 32 * 18))
        let matrix = Array((0..<rows).map { _ in row }.joined())
        try matrix.withUnsafeBytes { base in
            try Self.check(WeightMatrix(name: "q4_0", type: .q4_0, base: base.baseAddress!, rows: rows, columns: count, repack: false), tokens: 5)
        }
    }
}
