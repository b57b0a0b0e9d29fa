/// The element types of GGUF tensors, with their block layout.
///
/// Quantised types store `blockSize` values in `bytesPerBlock` bytes; a row's length must be a
/// multiple of `blockSize`. Layouts (as ggml defines them; `f16` is IEEE half):
/// - Q4_0 (18 B / 32): f16 d; 16 B of 4-bit q, value = d·(q−8)
/// - Q4_1 (20 B / 32): f16 d, f16 m; 16 B of 4-bit q, value = d·q + m
/// - Q5_0 (22 B / 32): f16 d; u32 high bits; 16 B of low nibbles, value = d·(q−16)
/// - Q5_1 (24 B / 32): f16 d, f16 m; u32 high bits; 16 B, value = d·q + m
/// - Q8_0 (34 B / 32): f16 d; 32 × i8, value = d·q
/// - Q4_K (144 B / 256): f16 d, f16 dmin, 12 B of 6-bit scales and mins, 128 B of nibbles
/// - Q5_K (176 B / 256): as Q4_K plus 32 B of high bits
/// - Q6_K (210 B / 256): 128 B low nibbles, 64 B high 2 bits, 16 × i8 scales, f16 d
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case bf16 = 30

    /// Values per block.
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: 32
        case .q4_K, .q5_K, .q6_K: 256
        }
    }

    /// Bytes per block.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        }
    }

    /// Bytes for a row of `count` values (a multiple of ``blockSize``).
    public func rowBytes(_ count: Int) -> Int { count / blockSize * bytesPerBlock }

    /// ggml's name for a type code, also for codes this engine does not implement.
    public static func name(of code: UInt32) -> String {
        let names: [UInt32: String] = [
            0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1",
            10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS",
            17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS",
            24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16", 34: "TQ1_0", 35: "TQ2_0",
            39: "MXFP4",
        ]
        return names[code] ?? "type \(code)"
    }
}
