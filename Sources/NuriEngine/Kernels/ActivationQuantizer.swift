import _Builtin_intrinsics.intel

/// Quantises rows of activations into an ``ActivationFormat``, rounding as ggml's x86 code does
/// (round half to even; the scale stored as ggml stores it), so products match llama.cpp's.
enum ActivationQuantizer {
    /// Quantises `count` floats at `x` into `format` at `y` (``ActivationFormat/rowBytes(_:)`` bytes).
    static func quantize(_ x: UnsafePointer<Float>, count: Int, to y: UnsafeMutableRawPointer, format: ActivationFormat) {
        switch format {
        case .f32:
            y.copyMemory(from: x, byteCount: count * 4)
        case .q8_0, .q8_1, .q8Sum:
            let withSum = format != .q8_0
            let size = format.bytesPerBlock
            for b in 0..<count / 32 {
                let source = x + 32 * b, block = y + size * b
                let (amax, sum) = block32(source, block + (withSum ? 8 : 2))
                let d = amax / 127
                if format == .q8Sum {
                    block.storeBytes(of: Float(Float16(d)), as: Float.self)
                    block.storeBytes(of: sum, toByteOffset: 4, as: Int32.self)
                } else if withSum {
                    // f16-rounded, as ggml stores them, kept as f32.
                    block.storeBytes(of: Float(Float16(d)), as: Float.self)
                    block.storeBytes(of: Float(Float16(d * Float(sum))), toByteOffset: 4, as: Float.self)
                } else {
                    block.storeBytes(of: Float16(d), as: Float16.self)
                }
            }
        case .q8_1K, .q8_KHalves:
            var block = [UInt8](repeating: 0, count: 292)
            for b in 0..<count / 256 {
                block.withUnsafeMutableBytes { quantize(x + 256 * b, count: 256, to: $0.baseAddress!, format: .q8_K) }
                block.withUnsafeBytes { k in
                    let d = k.load(as: Float.self)
                    for j in 0..<8 {
                        let target = y + 40 * (8 * b + j)
                        var first: Int32 = 0, second: Int32 = 0
                        for l in 0..<16 { first += Int32(k.load(fromByteOffset: 4 + 32 * j + l, as: Int8.self)) }
                        for l in 16..<32 { second += Int32(k.load(fromByteOffset: 4 + 32 * j + l, as: Int8.self)) }
                        target.storeBytes(of: d, as: Float.self)
                        if format == .q8_1K {
                            target.storeBytes(of: d * Float(first + second), toByteOffset: 4, as: Float.self)
                        } else {
                            target.storeBytes(of: Int16(first), toByteOffset: 4, as: Int16.self)
                            target.storeBytes(of: Int16(second), toByteOffset: 6, as: Int16.self)
                        }
                        (target + 8).copyMemory(from: k.baseAddress! + 4 + 32 * j, byteCount: 32)
                    }
                }
            }
        case .q8_K:
            for b in 0..<count / 256 {
                let source = x + 256 * b, block = y + 292 * b
                // The value of largest magnitude, with its sign: ggml scales by −127/max so that
                // this value maps to −127 exactly.
                var amax: Float = 0, maxValue: Float = 0
                for j in 0..<256 where abs(source[j]) > amax {
                    amax = abs(source[j])
                    maxValue = source[j]
                }
                let qs = block + 4, sums = block + 260
                guard amax != 0 else {
                    block.storeBytes(of: Float(0), as: Float.self)
                    (qs).initializeMemory(as: UInt8.self, repeating: 0, count: 256 + 32)
                    continue
                }
                let iscale = -127 / maxValue
                for j in 0..<256 {
                    let q = min(127, Int((iscale * source[j]).rounded(.toNearestOrEven)))
                    qs.storeBytes(of: Int8(q), toByteOffset: j, as: Int8.self)
                }
                for group in 0..<16 {
                    var sum: Int16 = 0
                    for j in 0..<16 { sum += Int16(qs.load(fromByteOffset: 16 * group + j, as: Int8.self)) }
                    sums.storeBytes(of: sum, toByteOffset: 2 * group, as: Int16.self)
                }
                block.storeBytes(of: 1 / iscale, as: Float.self)
            }
        }
    }

    /// Quantises 32 floats to signed bytes `round(x · 127 / amax)` (round half to even, as the
    /// scalar `rounded(.toNearestOrEven)`, which `vcvtps2dq` does in the default rounding mode),
    /// writing them at `qs`; returns amax and Σq.
    @inline(__always)
    static func block32(_ source: UnsafePointer<Float>, _ qs: UnsafeMutableRawPointer) -> (amax: Float, sum: Int32) {
        let raw = UnsafeRawPointer(source)
        let x0 = raw.loadUnaligned(as: __m256.self), x1 = raw.loadUnaligned(fromByteOffset: 32, as: __m256.self)
        let x2 = raw.loadUnaligned(fromByteOffset: 64, as: __m256.self), x3 = raw.loadUnaligned(fromByteOffset: 96, as: __m256.self)
        let signBit = _mm256_set1_ps(-0.0)
        var m = _mm256_max_ps(_mm256_andnot_ps(signBit, x0), _mm256_andnot_ps(signBit, x1))
        m = _mm256_max_ps(m, _mm256_max_ps(_mm256_andnot_ps(signBit, x2), _mm256_andnot_ps(signBit, x3)))
        let lanes = unsafeBitCast(m, to: SIMD8<Float>.self)
        let amax = lanes.max()
        let id: Float = amax != 0 ? 127 / amax : 0
        let scale = _mm256_set1_ps(id)
        let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(x0, scale)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(x1, scale))
        let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(x2, scale)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(x3, scale))
        let total = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3))
        let sum = unsafeBitCast(total, to: SIMD8<Int32>.self).wrappedSum()
        let words = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3))
        let ordered = _mm256_permutevar8x32_epi32(words, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
        qs.storeBytes(of: ordered, as: __m256i.self)
        return (amax, sum)
    }
}
