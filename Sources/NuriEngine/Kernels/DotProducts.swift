import _Builtin_intrinsics.intel

/// Dot products of one weight row with one quantised activation row, per weight type.
///
/// Written in Swift on AVX2 intrinsics (`import _Builtin_intrinsics.intel`), mirroring the
/// structure of ggml's x86 kernels: integer products per 32-value block (`maddubs`, `madd`),
/// converted to float and accumulated with one FMA per block in eight float lanes, then summed
/// in the same order as ggml's `hsum_float_8`. The integer parts are exact, so results differ
/// from llama.cpp's only where its float accumulation order differs (≈1e-7 relative).
/// The engine is compiled for `haswell` (AVX2, FMA, F16C); these kernels need no more.
enum DotProducts {
    /// `weights` row of `count` values of `type` · `activations` row in `type`'s ``ActivationFormat``.
    @inline(__always)
    static func dot(_ type: GGMLType, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        switch type {
        case .q4_0: return q4_0(weights, activations, blocks: count / 32)
        case .q4_1: return q4_1(weights, activations, blocks: count / 32)
        case .q5_0: return q5_0(weights, activations, blocks: count / 32)
        case .q5_1: return q5_1(weights, activations, blocks: count / 32)
        case .q8_0: return q8_0(weights, activations, blocks: count / 32)
        case .q4_K: return q4_K(weights, activations, blocks: count / 256)
        case .q5_K: return q5_K(weights, activations, blocks: count / 256)
        case .q6_K: return q6_K(weights, activations, blocks: count / 256)
        case .f32, .f16, .bf16: return float(type, weights, activations.assumingMemoryBound(to: Float.self), count: count)
        }
    }

    // MARK: Helpers (ggml's names in comments)

    /// hsum_float_8: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)).
    @inline(__always)
    static func horizontalSum(_ v: __m256) -> Float {
        let lanes = unsafeBitCast(v, to: SIMD8<Float>.self)
        let four = lanes.lowHalf + lanes.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }

    /// mul_sum_us8_pairs_float: Σ unsigned×signed byte products, in eight i32 lanes, as floats.
    @inline(__always)
    static func unsignedSignedProducts(_ unsignedBytes: __m256i, _ signedBytes: __m256i) -> __m256 {
        let pairs = _mm256_maddubs_epi16(unsignedBytes, signedBytes)
        return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)))
    }

    /// mul_sum_i8_pairs_float: Σ signed×signed byte products (|x|·sign(y, x)).
    @inline(__always)
    static func signedProducts(_ x: __m256i, _ y: __m256i) -> __m256 {
        unsignedSignedProducts(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x))
    }

    /// bytes_from_nibbles_32: 16 bytes of nibbles → 32 bytes, low nibbles first.
    @inline(__always)
    static func nibbles(_ p: UnsafeRawPointer) -> __m256i {
        let packed = p.loadUnaligned(as: SIMD16<UInt8>.self)
        let low = packed & 0x0F, high = packed &>> 4
        return unsafeBitCast(SIMD32<UInt8>(lowHalf: low, highHalf: high), to: __m256i.self)
    }

    /// bytes_from_bits_32: 32 bits → 32 bytes, 0xFF where the bit is set.
    @inline(__always)
    static func bytesFromBits(_ bits: UInt32) -> __m256i {
        let shuffle = _mm256_set_epi64x(0x0303_0303_0303_0303, 0x0202_0202_0202_0202, 0x0101_0101_0101_0101, 0x0000_0000_0000_0000)
        var spread = _mm256_shuffle_epi8(_mm256_set1_epi32(Int32(bitPattern: bits)), shuffle)
        let mask = _mm256_set1_epi64x(0x7FBF_DFEF_F7FB_FDFE)
        spread = _mm256_or_si256(spread, mask)
        return _mm256_cmpeq_epi8(spread, _mm256_set1_epi64x(-1))
    }

    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int = 0) -> Float {
        Float(p.loadUnaligned(fromByteOffset: offset, as: Float16.self))
    }

    @inline(__always)
    static func bytes32(_ p: UnsafeRawPointer) -> __m256i {
        p.loadUnaligned(as: __m256i.self)
    }

    // MARK: 32-value block types

    static func q4_0(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var acc = _mm256_setzero_ps()
        for i in 0..<blocks {
            let bx = x + 18 * i, by = y + 34 * i
            let d = _mm256_set1_ps(half(bx) * half(by))
            let qx = _mm256_sub_epi8(nibbles(bx + 2), _mm256_set1_epi8(8))
            acc = _mm256_fmadd_ps(d, signedProducts(qx, bytes32(by + 2)), acc)
        }
        return horizontalSum(acc)
    }

    static func q4_1(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var acc = _mm256_setzero_ps()
        var minimums: Float = 0
        for i in 0..<blocks {
            let bx = x + 20 * i, by = y + 36 * i
            minimums += half(bx, 2) * half(by, 2)
            let d = _mm256_set1_ps(half(bx) * half(by))
            acc = _mm256_fmadd_ps(d, unsignedSignedProducts(nibbles(bx + 4), bytes32(by + 4)), acc)
        }
        return horizontalSum(acc) + minimums
    }

    static func q5_0(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var acc = _mm256_setzero_ps()
        for i in 0..<blocks {
            let bx = x + 22 * i, by = y + 34 * i
            let d = _mm256_set1_ps(half(bx) * half(by))
            // Values are nibble | (high bit ? 0 : 0xF0): q − 16 as a signed byte.
            let high = _mm256_andnot_si256(bytesFromBits(bx.loadUnaligned(fromByteOffset: 2, as: UInt32.self)), _mm256_set1_epi8(-16))
            let qx = _mm256_or_si256(nibbles(bx + 6), high)
            acc = _mm256_fmadd_ps(d, signedProducts(qx, bytes32(by + 2)), acc)
        }
        return horizontalSum(acc)
    }

    static func q5_1(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var acc = _mm256_setzero_ps()
        var minimums: Float = 0
        for i in 0..<blocks {
            let bx = x + 24 * i, by = y + 36 * i
            minimums += half(bx, 2) * half(by, 2)
            let d = _mm256_set1_ps(half(bx) * half(by))
            let high = _mm256_and_si256(bytesFromBits(bx.loadUnaligned(fromByteOffset: 4, as: UInt32.self)), _mm256_set1_epi8(0x10))
            let qx = _mm256_or_si256(nibbles(bx + 8), high)
            acc = _mm256_fmadd_ps(d, unsignedSignedProducts(qx, bytes32(by + 4)), acc)
        }
        return horizontalSum(acc) + minimums
    }

    static func q8_0(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var acc = _mm256_setzero_ps()
        for i in 0..<blocks {
            let bx = x + 34 * i, by = y + 34 * i
            let d = _mm256_set1_ps(half(bx) * half(by))
            acc = _mm256_fmadd_ps(d, signedProducts(bytes32(bx + 2), bytes32(by + 2)), acc)
        }
        return horizontalSum(acc)
    }

    // MARK: K-quants (256-value super-blocks; activations in Q8_K)

    /// Σ over 32 values of unsigned weight bytes × signed activation bytes, as one integer.
    @inline(__always)
    static func integerDot32(_ unsignedBytes: __m256i, _ signedBytes: __m256i) -> Int32 {
        let sums = _mm256_madd_epi16(_mm256_maddubs_epi16(unsignedBytes, signedBytes), _mm256_set1_epi16(1))
        return unsafeBitCast(sums, to: SIMD8<Int32>.self).wrappedSum()
    }

    static func q4_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 144 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx)
            let dmin = by.loadUnaligned(as: Float.self) * half(bx, 2)
            let scales = bx + 4, qs = bx + 16, q8 = by + 4, bsums = by + 260
            var sumi: Int32 = 0, summ: Int32 = 0
            for pair in 0..<4 {
                let packed = qs.loadUnaligned(fromByteOffset: 32 * pair, as: SIMD32<UInt8>.self)
                let low = unsafeBitCast(packed & 0x0F, to: __m256i.self)
                let high = unsafeBitCast(packed &>> 4, to: __m256i.self)
                for (half, nibbles) in [(0, low), (1, high)] {
                    let j = 2 * pair + half
                    let (scale, minimum) = KQuants.scaleAndMin(scales, j)
                    sumi += Int32(scale) * integerDot32(nibbles, bytes32(q8 + 32 * j))
                    let groupSum = Int32(bsums.loadUnaligned(fromByteOffset: 4 * j, as: Int16.self))
                        + Int32(bsums.loadUnaligned(fromByteOffset: 4 * j + 2, as: Int16.self))
                    summ += Int32(minimum) * groupSum
                }
            }
            sum += d * Float(sumi) - dmin * Float(summ)
        }
        return sum
    }

    static func q5_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 176 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx)
            let dmin = by.loadUnaligned(as: Float.self) * half(bx, 2)
            let scales = bx + 4, qh = bx.loadUnaligned(fromByteOffset: 16, as: SIMD32<UInt8>.self), qs = bx + 48
            let q8 = by + 4, bsums = by + 260
            var sumi: Int32 = 0, summ: Int32 = 0
            for pair in 0..<4 {
                let packed = qs.loadUnaligned(fromByteOffset: 32 * pair, as: SIMD32<UInt8>.self)
                let bit0 = UInt8(1 << (2 * pair)), bit1 = UInt8(1 << (2 * pair + 1))
                var lowValues = packed & 0x0F, highValues = packed &>> 4
                lowValues = lowValues.replacing(with: lowValues | 16, where: (qh & bit0) .!= 0)
                highValues = highValues.replacing(with: highValues | 16, where: (qh & bit1) .!= 0)
                for (half, values) in [(0, lowValues), (1, highValues)] {
                    let j = 2 * pair + half
                    let (scale, minimum) = KQuants.scaleAndMin(scales, j)
                    sumi += Int32(scale) * integerDot32(unsafeBitCast(values, to: __m256i.self), bytes32(q8 + 32 * j))
                    let groupSum = Int32(bsums.loadUnaligned(fromByteOffset: 4 * j, as: Int16.self))
                        + Int32(bsums.loadUnaligned(fromByteOffset: 4 * j + 2, as: Int16.self))
                    summ += Int32(minimum) * groupSum
                }
            }
            sum += d * Float(sumi) - dmin * Float(summ)
        }
        return sum
    }

    static func q6_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 210 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx, 208)
            let q8 = by + 4, bsums = by + 260
            var sumi: Int32 = 0
            // Weights are q − 32 with q in 0..<64: Σ (q−32)·y = Σ q·y − 32·Σ y, per 16-value group
            // (each group has its own scale).
            for halfBlock in 0..<2 {
                let ql = bx + 64 * halfBlock, qh = bx + 128 + 32 * halfBlock, sc = bx + 192 + 8 * halfBlock
                let lowA = ql.loadUnaligned(as: SIMD32<UInt8>.self)
                let lowB = ql.loadUnaligned(fromByteOffset: 32, as: SIMD32<UInt8>.self)
                let high = qh.loadUnaligned(as: SIMD32<UInt8>.self)
                let quarters: [SIMD32<UInt8>] = [
                    (lowA & 0x0F) | ((high & 0x03) &<< 4),
                    (lowB & 0x0F) | (((high &>> 2) & 0x03) &<< 4),
                    (lowA &>> 4) | (((high &>> 4) & 0x03) &<< 4),
                    (lowB &>> 4) | (((high &>> 6) & 0x03) &<< 4),
                ]
                for (quarter, values) in quarters.enumerated() {
                    let offset = 128 * halfBlock + 32 * quarter
                    let products = _mm256_madd_epi16(
                        _mm256_maddubs_epi16(unsafeBitCast(values, to: __m256i.self), bytes32(q8 + offset)), _mm256_set1_epi16(1))
                    let lanes = unsafeBitCast(products, to: SIMD8<Int32>.self)
                    // lanes 0–3 cover values 0..<16 of this quarter, lanes 4–7 values 16..<32.
                    for group in 0..<2 {
                        let scale = Int32(sc.load(fromByteOffset: 2 * quarter + group, as: Int8.self))
                        let part = lanes[4 * group] &+ lanes[4 * group + 1] &+ lanes[4 * group + 2] &+ lanes[4 * group + 3]
                        let ySum = Int32(bsums.loadUnaligned(fromByteOffset: 2 * (offset / 16 + group), as: Int16.self))
                        sumi += scale * (part - 32 * ySum)
                    }
                }
            }
            sum += d * Float(sumi)
        }
        return sum
    }

    // MARK: Float weights

    static func float(_ type: GGMLType, _ x: UnsafeRawPointer, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        switch type {
        case .f32:
            while i + 8 <= count {
                acc.addProduct(x.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self), UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self))
                i += 8
            }
        case .f16:
            while i + 8 <= count {
                let w = SIMD8<Float>(x.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<Float16>.self))
                acc.addProduct(w, UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self))
                i += 8
            }
        default:
            break
        }
        var sum = acc.sum()
        var scratch: Float = 0
        while i < count {
            withUnsafeMutablePointer(to: &scratch) { Dequantize.row(type, from: x + i * type.bytesPerBlock, to: $0, count: 1) }
            sum += scratch * y[i]
            i += 1
        }
        return sum
    }
}

extension SIMD8 where Scalar == Int32 {
    @inline(__always)
    func wrappedSum() -> Int32 {
        let four = lowHalf &+ highHalf
        let two = four.lowHalf &+ four.highHalf
        return two[0] &+ two[1]
    }
}

extension SIMD8 where Scalar == Float {
    @inline(__always)
    mutating func addProduct(_ a: Self, _ b: Self) {
        self = addingProduct(a, b)
    }
}
