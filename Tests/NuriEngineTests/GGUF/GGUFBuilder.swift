import NuriEngine

/// Writes small GGUF images for tests, byte by byte as the format defines them, so the reader
/// can be tested on files whose every byte is known (and then mutated).
struct GGUFBuilder {
    enum Value {
        case uint32(UInt32), int32(Int32), float32(Float), bool(Bool), string(String), uint64(UInt64), float64(Double)
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), int64(Int64)
        case strings([String]), floats([Float]), int32s([Int32])
    }

    struct Tensor {
        let name: String
        let dimensions: [Int]
        let type: GGMLType
        let data: [UInt8]
    }

    var version: UInt32 = 3
    var alignment = 32
    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []

    func build() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out += Array(s.utf8) }
        func scalar(_ value: Value) {
            switch value {
            case .uint8(let v): out.append(v)
            case .int8(let v): out.append(UInt8(bitPattern: v))
            case .uint16(let v): withUnsafeBytes(of: v.littleEndian) { out += $0 }
            case .int16(let v): withUnsafeBytes(of: v.littleEndian) { out += $0 }
            case .uint32(let v): u32(v)
            case .int32(let v): u32(UInt32(bitPattern: v))
            case .float32(let v): u32(v.bitPattern)
            case .bool(let v): out.append(v ? 1 : 0)
            case .string(let v): string(v)
            case .uint64(let v): u64(v)
            case .int64(let v): u64(UInt64(bitPattern: v))
            case .float64(let v): u64(v.bitPattern)
            case .strings(let v): u32(8); u64(UInt64(v.count)); v.forEach(string)
            case .floats(let v): u32(6); u64(UInt64(v.count)); v.forEach { u32($0.bitPattern) }
            case .int32s(let v): u32(5); u64(UInt64(v.count)); v.forEach { u32(UInt32(bitPattern: $0)) }
            }
        }
        func code(_ value: Value) -> UInt32 {
            switch value {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .strings, .floats, .int32s: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            }
        }
        u32(version)
        u64(UInt64(tensors.count))
        u64(UInt64(metadata.count))
        for (key, value) in metadata {
            string(key)
            u32(code(value))
            scalar(value)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            offsets.append(offset)
            offset += (tensor.data.count + alignment - 1) / alignment * alignment
        }
        for (tensor, offset) in zip(tensors, offsets) {
            string(tensor.name)
            u32(UInt32(tensor.dimensions.count))
            tensor.dimensions.forEach { u64(UInt64($0)) }
            u32(tensor.type.rawValue)
            u64(UInt64(offset))
        }
        while out.count % alignment != 0 { out.append(0) }
        for tensor in tensors {
            out += tensor.data
            while out.count % alignment != 0 { out.append(0) }
        }
        return out
    }

    /// A small but complete file: every metadata type and two tensors.
    static func sample() -> GGUFBuilder {
        var builder = GGUFBuilder()
        builder.metadata = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("테스트 모델")),
            ("llama.block_count", .uint32(2)),
            ("llama.rope.freq_base", .float32(10000)),
            ("test.int8", .int8(-3)), ("test.uint8", .uint8(250)), ("test.int16", .int16(-300)), ("test.uint16", .uint16(60000)),
            ("test.int32", .int32(-70000)), ("test.uint64", .uint64(1 << 40)), ("test.int64", .int64(-(1 << 40))),
            ("test.float64", .float64(0.125)), ("test.bool", .bool(true)),
            ("tokenizer.ggml.tokens", .strings(["<unk>", "a", "한"])),
            ("tokenizer.ggml.scores", .floats([0, -1.5, -2.5])),
            ("tokenizer.ggml.token_type", .int32s([2, 1, 1])),
        ]
        let f32: [Float] = (0..<8).map { Float($0) * 0.5 }
        builder.tensors = [
            Tensor(name: "weights.f32", dimensions: [4, 2], type: .f32, data: f32.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }),
            Tensor(name: "weights.q8_0", dimensions: [32], type: .q8_0, data: [0x00, 0x3C] + (0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }),
        ]
        return builder
    }
}
