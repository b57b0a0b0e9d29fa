/// The 8-bit block format activations are quantised to before a product with weights of a given
/// type, as ggml does it (its `vec_dot_type`), so that products are integer dot products:
/// - Q8_0 (34 B / 32): f16 d, 32 × i8 — for Q4_0, Q5_0, Q8_0 weights;
/// - Q8_1 (40 B / 32): d, s = d·Σq, 32 × i8 — for Q4_1, Q5_1 weights. ggml stores d and s as
///   f16; Nuri rounds them to f16 too (same products) but keeps them as f32, so the kernels
///   read them without a conversion per block;
/// - Q8 with sums (40 B / 32): f32 d (f16-rounded, as Q8_0's), i32 Σq, 32 × i8 — for the
///   AVX-512 kernels over repacked Q4_0, Q5_0, Q8_0 weights (``InterleavedWeights``);
/// - Q8_K values in Q8_1's blocks (40 B / 32): each 256 quantised as Q8_K, written as 8 blocks
///   of f32 d (the 256's), f32 d·Σq (the 32's, unrounded), 32 × i8 — for the AVX-512 kernels
///   over repacked Q4_K weights;
/// - Q8_K values in 40-byte blocks with the sum of each 16 (f32 d, i16 Σq twice, 32 × i8) —
///   for the AVX-512 kernels over repacked Q6_K weights;
/// - Q8_K (292 B / 256): f32 d, 256 × i8, 16 × i16 sums of each 16 — for K-quant weights;
/// - F32: activations stay as they are — for F32, F16 and BF16 weights.
enum ActivationFormat: Sendable {
    case q8_0
    case q8_1
    case q8Sum
    case q8_1K
    case q8_KHalves
    case q8_K
    case f32

    init(weights: GGMLType) {
        switch weights {
        case .q4_0, .q5_0, .q8_0: self = .q8_0
        case .q4_1, .q5_1: self = .q8_1
        case .q4_K, .q5_K, .q6_K: self = .q8_K
        case .f32, .f16, .bf16: self = .f32
        }
    }

    var blockSize: Int {
        switch self {
        case .q8_0, .q8_1, .q8Sum, .q8_1K, .q8_KHalves: 32
        case .q8_K: 256
        case .f32: 1
        }
    }

    var bytesPerBlock: Int {
        switch self {
        case .q8_0: 34
        case .q8_1, .q8Sum, .q8_1K, .q8_KHalves: 40
        case .q8_K: 292
        case .f32: 4
        }
    }

    /// Bytes for one row of `count` values.
    func rowBytes(_ count: Int) -> Int { count / blockSize * bytesPerBlock }
}
