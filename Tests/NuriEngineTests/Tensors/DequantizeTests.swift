import Foundation
import NuriEngine
import Testing

@Suite("Dequantisation against gguf-py's reference values")
struct DequantizeTests {
    struct Case: Decodable, Sendable, CustomStringConvertible {
        let type: String
        let count: Int
        let bytes: String
        let values: [Float]
        var description: String { type }
    }

    struct File: Decodable {
        let cases: [Case]
    }

    static let cases: [Case] = {
        guard let data = try? Fixture.data("dequant/dequant.json"),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()

    static let types: [String: GGMLType] = [
        "F32": .f32, "F16": .f16, "BF16": .bf16, "Q4_0": .q4_0, "Q4_1": .q4_1, "Q5_0": .q5_0, "Q5_1": .q5_1,
        "Q8_0": .q8_0, "Q4_K": .q4_K, "Q5_K": .q5_K, "Q6_K": .q6_K,
    ]

    @Test("the fixture covers every supported type")
    func coversEveryType() {
        #expect(Set(Self.cases.map(\.type)) == Set(Self.types.keys))
    }

    @Test("each type dequantises to the reference values", arguments: cases)
    func matchesReference(testCase: Case) throws {
        let type = try #require(Self.types[testCase.type])
        var bytes: [UInt8] = []
        var hex = testCase.bytes.makeIterator()
        while let high = hex.next(), let low = hex.next() {
            bytes.append(UInt8(String([high, low]), radix: 16) ?? 0)
        }
        #expect(bytes.count == testCase.count / type.blockSize * type.bytesPerBlock)
        var output = [Float](repeating: .nan, count: testCase.count)
        bytes.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { destination in
                Dequantize.row(type, from: source.baseAddress!, to: destination.baseAddress!, count: testCase.count)
            }
        }
        var worst: Float = 0
        for (value, expected) in zip(output, testCase.values) {
            worst = max(worst, abs(value - expected) / max(abs(expected), 1e-3))
        }
        #expect(worst <= 1e-6, "\(testCase.type): worst relative error \(worst)")
    }
}
