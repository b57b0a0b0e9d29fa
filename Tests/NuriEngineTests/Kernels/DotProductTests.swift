import Foundation
@testable import NuriEngine
import Testing

@Suite("Quantised dot products")
struct DotProductTests {
    /// Random weight blocks of `type` with sane scales, made by quantising random floats
    /// through the fixture's byte layout: we reuse the dequant fixture's random blocks.
    static func weights(_ type: GGMLType) throws -> (bytes: [UInt8], count: Int) {
        let name = DequantizeTests.types.first { $0.value == type }?.key ?? ""
        let testCase = try #require(DequantizeTests.cases.first { $0.type == name })
        var bytes: [UInt8] = []
        var hex = testCase.bytes.makeIterator()
        while let high = hex.next(), let low = hex.next() { bytes.append(UInt8(String([high, low]), radix: 16) ?? 0) }
        return (bytes, testCase.count)
    }

    /// The activation row after quantisation, dequantised exactly (d·q), for the reference.
    static func dequantizedActivations(_ quantized: UnsafeRawPointer, format: ActivationFormat, count: Int) -> [Double] {
        var values: [Double] = []
        for b in 0..<count / format.blockSize {
            let block = quantized + b * format.bytesPerBlock
            switch format {
            case .q8_0:
                let d = Double(Float(block.loadUnaligned(as: Float16.self)))
                let qs = block + 2
                for j in 0..<32 { values.append(d * Double(qs.load(fromByteOffset: j, as: Int8.self))) }
            case .q8_1, .q8Sum, .q8_1K, .q8_KHalves:
                let d = Double(block.loadUnaligned(as: Float.self))
                let qs = block + 8
                for j in 0..<32 { values.append(d * Double(qs.load(fromByteOffset: j, as: Int8.self))) }
            case .q8_K:
                let d = Double(block.loadUnaligned(as: Float.self))
                for j in 0..<256 { values.append(d * Double(block.load(fromByteOffset: 4 + j, as: Int8.self))) }
            case .f32:
                values.append(Double(block.loadUnaligned(as: Float.self)))
            }
        }
        return values
    }

    @Test("each kernel equals the exact product of the dequantised operands",
          arguments: [GGMLType.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K, .f32, .f16])
    func kernelMatchesReference(type: GGMLType) throws {
        let (bytes, fixtureCount) = try Self.weights(type)
        let count = type == .f32 || type == .f16 ? 64 : fixtureCount
        let format = ActivationFormat(weights: type)
        var generator = SeededGenerator(seed: UInt64(type.rawValue) + 7)
        let x = (0..<count).map { _ in Float(Double(generator.next() % 20_000) / 10_000 - 1) }
        var quantized = [UInt8](repeating: 0, count: format.rowBytes(count))
        x.withUnsafeBufferPointer { source in
            quantized.withUnsafeMutableBytes { ActivationQuantizer.quantize(source.baseAddress!, count: count, to: $0.baseAddress!, format: format) }
        }
        var weightsFloat = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { w in
            weightsFloat.withUnsafeMutableBufferPointer { Dequantize.row(type, from: w.baseAddress!, to: $0.baseAddress!, count: count) }
        }
        let activations = quantized.withUnsafeBytes { Self.dequantizedActivations($0.baseAddress!, format: format, count: count) }
        let reference = zip(weightsFloat, activations).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        let magnitude = zip(weightsFloat, activations).reduce(0.0) { $0 + abs(Double($1.0) * $1.1) }
        let result = bytes.withUnsafeBytes { w in
            quantized.withUnsafeBytes { DotProducts.dot(type, w.baseAddress!, $0.baseAddress!, count: count) }
        }
        #expect(abs(Double(result) - reference) <= 1e-5 * max(magnitude, 1), "\(type): \(result) vs \(reference)")
    }

    @Test("activation quantisation keeps values within half a step (plus the f16 rounding of the scale)")
    func quantisationError() {
        for format in [ActivationFormat.q8_0, .q8_1, .q8Sum, .q8_K] {
            var generator = SeededGenerator(seed: 11)
            let x = (0..<512).map { _ in Float(Double(generator.next() % 20_000) / 1_000 - 10) }
            var quantized = [UInt8](repeating: 0, count: format.rowBytes(512))
            x.withUnsafeBufferPointer { source in
                quantized.withUnsafeMutableBytes { ActivationQuantizer.quantize(source.baseAddress!, count: 512, to: $0.baseAddress!, format: format) }
            }
            let back = quantized.withUnsafeBytes { Self.dequantizedActivations($0.baseAddress!, format: format, count: 512) }
            let amax = x.map(abs).max() ?? 1
            let step = Double(amax) / 127
            let worst = zip(x, back).map { abs(Double($0) - $1) }.max() ?? 0
            // Q8_0/Q8_1 store the scale as f16 (relative error ≤ 2⁻¹¹), which moves the largest
            // values (|q| = 127) by up to 127·step·2⁻¹¹.
            let scaleRounding = format == .q8_K ? step * 1e-6 : 127 * step / 2_048
            #expect(worst <= step * 0.5 + scaleRounding, "\(format): worst \(worst), step \(step)")
        }
    }

    @Test("the vector quantiser gives the bytes of the scalar rule round(x·127/amax), half to even, and their sum")
    func vectorQuantiserMatchesScalarRule() {
        var generator = SeededGenerator(seed: 5)
        for trial in 0..<200 {
            // Some blocks made of halves so that x·127/amax lands exactly on .5 ties.
            var x = (0..<32).map { _ in Float(Double(generator.next() % 20_000) / 1_000 - 10) }
            if trial % 4 == 0 { x = (0..<32).map { Float($0) - 15.5 }; x[0] = 127 }
            if trial == 1 { x = [Float](repeating: 0, count: 32) }
            var bytes = [Int8](repeating: 0, count: 32)
            let (amax, sum) = x.withUnsafeBufferPointer { source in
                bytes.withUnsafeMutableBytes { ActivationQuantizer.block32(source.baseAddress!, $0.baseAddress!) }
            }
            let expectedMax = x.map(abs).max() ?? 0
            let id: Float = expectedMax != 0 ? 127 / expectedMax : 0
            let expected = x.map { Int8(($0 * id).rounded(.toNearestOrEven)) }
            #expect(amax == expectedMax)
            #expect(bytes == expected, "trial \(trial)")
            #expect(sum == expected.reduce(0) { $0 + Int32($1) })
        }
    }

    @Test("the tiled products of real Q4_1 and Q8_0 matrices equal the one-by-one products, bit for bit",
          .enabled(if: TestModels.smolLM2 != nil, "run `make models`"))
    func tilesMatchSingleProducts() throws {
        let file = try GGUFFile(path: try #require(TestModels.smolLM2))
        // A Q4_1 matrix at every token count, and the tied Q8_0 output matrix (tiled when decoding).
        let gate = WeightMatrix(try #require(file.tensors.first { $0.name == "blk.0.ffn_gate.weight" }), in: file, repack: false)
        let output = WeightMatrix(try #require(file.tensors.first { $0.name == "token_embd.weight" }), in: file, repack: false)
        #expect(gate.type == .q4_1 && output.type == .q8_0)
        for (w, tokens) in [(gate, 1), (gate, 2), (gate, 3), (gate, 4), (gate, 5), (gate, 9), (output, 1)] {
            #expect(try Self.tiledMismatches(w, tokens: tokens) == 0, "\(w.name), \(tokens) tokens")
        }
    }

    @Test("the tiled products of Gemma 3's Q5_0 and Q4_K matrices equal the one-by-one products, bit for bit",
          .enabled(if: TestModels.gemma3 != nil, "run `make models`"))
    func gemmaTilesMatchSingleProducts() throws {
        let file = try GGUFFile(path: try #require(TestModels.gemma3))
        let q5 = try #require(file.tensors.first { $0.type == .q5_0 && $0.name.hasPrefix("blk.") })
        let q4K = try #require(file.tensors.first { $0.type == .q4_K && $0.name.hasPrefix("blk.") })
        for tensor in [q5, q4K] {
            let w = WeightMatrix(tensor, in: file, repack: false)
            for tokens in [1, 4, 6] {
                #expect(try Self.tiledMismatches(w, tokens: tokens) == 0, "\(w.name) (\(w.type)), \(tokens) tokens")
            }
        }
    }

    /// How many products of `MatMul.multiply` differ in any bit from one-by-one `DotProducts.dot`.
    static func tiledMismatches(_ w: WeightMatrix, tokens: Int) throws -> Int {
        var generator = SeededGenerator(seed: UInt64(tokens))
        let input = (0..<tokens * w.columns).map { _ in Float(Double(generator.next() % 20_000) / 10_000 - 1) }
        var output = [Float](repeating: .nan, count: tokens * w.rows)
        var scratch = [UInt8](repeating: 0, count: MatMul.scratchBytes(columns: w.columns, tokens: tokens))
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBytes { s in
                    MatMul.multiply(w, input: x.baseAddress!, tokens: tokens, output: y.baseAddress!, scratch: s.baseAddress!, parallel: Parallel(threads: 2))
                }
            }
        }
        let rowBytes = ActivationFormat(weights: w.type).rowBytes(w.columns)
        var mismatches = 0
        scratch.withUnsafeBytes { s in
            for t in 0..<tokens {
                for r in 0..<w.rows where DotProducts.dot(w.type, w.base + r * w.rowBytes, s.baseAddress! + t * rowBytes, count: w.columns).bitPattern
                    != output[t * w.rows + r].bitPattern {
                    mismatches += 1
                }
            }
        }
        return mismatches
    }
}
