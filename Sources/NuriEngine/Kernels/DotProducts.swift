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
            let bx = x + 20 * i, by = y + 40 * i
            minimums += half(bx, 2) * by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            let d = _mm256_set1_ps(half(bx) * by.loadUnaligned(as: Float.self))
            acc = _mm256_fmadd_ps(d, unsignedSignedProducts(nibbles(bx + 4), bytes32(by + 8)), acc)
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
            let bx = x + 24 * i, by = y + 40 * i
            minimums += half(bx, 2) * by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            let d = _mm256_set1_ps(half(bx) * by.loadUnaligned(as: Float.self))
            let high = _mm256_and_si256(bytesFromBits(bx.loadUnaligned(fromByteOffset: 4, as: UInt32.self)), _mm256_set1_epi8(0x10))
            let qx = _mm256_or_si256(nibbles(bx + 8), high)
            acc = _mm256_fmadd_ps(d, unsignedSignedProducts(qx, bytes32(by + 8)), acc)
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

    /// Σ over 32 values of unsigned weight bytes × signed activation bytes, each 16-value half
    /// times its scale, in eight i32 lanes: one `maddubs` and one `madd` with the scales as
    /// multipliers (the pair sums fit in i16: at most 2·63·127). Exact.
    @inline(__always)
    static func scaledIntegerProducts(_ unsignedBytes: __m256i, _ signedBytes: __m256i, _ scales: __m256i) -> __m256i {
        _mm256_madd_epi16(_mm256_maddubs_epi16(unsignedBytes, signedBytes), scales)
    }

    /// Sum of eight i32 lanes (exact, wrapping as the scalar sum did).
    @inline(__always)
    static func integerSum(_ v: __m256i) -> Int32 {
        unsafeBitCast(v, to: SIMD8<Int32>.self).wrappedSum()
    }

    // The K-quant kernels keep every integer product and sum exact and add one float term per
    // 256-value block, as before; the integer work is accumulated in vector lanes (scales
    // multiplied in lane-wise) and summed once per block, with no arrays in the loop.

    static func q4_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 144 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx)
            let dmin = by.loadUnaligned(as: Float.self) * half(bx, 2)
            let scales = bx + 4, qs = bx + 16, q8 = by + 4, bsums = by + 260
            var acc = _mm256_setzero_si256()
            var summ: Int32 = 0
            for pair in 0..<4 {
                let packed = bytes32(qs + 32 * pair)
                let low = lowNibbles(packed), high = highNibbles(packed)
                let (scale0, minimum0) = KQuants.scaleAndMin(scales, 2 * pair)
                let (scale1, minimum1) = KQuants.scaleAndMin(scales, 2 * pair + 1)
                acc = _mm256_add_epi32(acc, scaledIntegerProducts(low, bytes32(q8 + 64 * pair), _mm256_set1_epi16(Int16(scale0))))
                acc = _mm256_add_epi32(acc, scaledIntegerProducts(high, bytes32(q8 + 64 * pair + 32), _mm256_set1_epi16(Int16(scale1))))
                summ += Int32(minimum0) * groupSum(bsums, 2 * pair) + Int32(minimum1) * groupSum(bsums, 2 * pair + 1)
            }
            sum += d * Float(integerSum(acc)) - dmin * Float(summ)
        }
        return sum
    }

    /// Σ of the activations of 32-value group `j` of a Q8_K block (two 16-value sums).
    @inline(__always)
    static func groupSum(_ bsums: UnsafeRawPointer, _ j: Int) -> Int32 {
        Int32(bsums.loadUnaligned(fromByteOffset: 4 * j, as: Int16.self)) + Int32(bsums.loadUnaligned(fromByteOffset: 4 * j + 2, as: Int16.self))
    }

    static func q5_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 176 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx)
            let dmin = by.loadUnaligned(as: Float.self) * half(bx, 2)
            let scales = bx + 4, qh = bytes32(bx + 16), qs = bx + 48
            let q8 = by + 4, bsums = by + 260
            var acc = _mm256_setzero_si256()
            var summ: Int32 = 0
            for pair in 0..<4 {
                let packed = bytes32(qs + 32 * pair)
                let bit0 = Int8(bitPattern: UInt8(1 << (2 * pair))), bit1 = Int8(bitPattern: UInt8(1 << (2 * pair + 1)))
                let lowValues = _mm256_or_si256(lowNibbles(packed), fifthBit(qh, bit0))
                let highValues = _mm256_or_si256(highNibbles(packed), fifthBit(qh, bit1))
                let (scale0, minimum0) = KQuants.scaleAndMin(scales, 2 * pair)
                let (scale1, minimum1) = KQuants.scaleAndMin(scales, 2 * pair + 1)
                acc = _mm256_add_epi32(acc, scaledIntegerProducts(lowValues, bytes32(q8 + 64 * pair), _mm256_set1_epi16(Int16(scale0))))
                acc = _mm256_add_epi32(acc, scaledIntegerProducts(highValues, bytes32(q8 + 64 * pair + 32), _mm256_set1_epi16(Int16(scale1))))
                summ += Int32(minimum0) * groupSum(bsums, 2 * pair) + Int32(minimum1) * groupSum(bsums, 2 * pair + 1)
            }
            sum += d * Float(integerSum(acc)) - dmin * Float(summ)
        }
        return sum
    }

    static func q6_K(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, blocks: Int) -> Float {
        var sum: Float = 0
        for i in 0..<blocks {
            let bx = x + 210 * i, by = y + 292 * i
            let d = by.loadUnaligned(as: Float.self) * half(bx, 208)
            let q8 = by + 4, bsums = by + 260, sc = bx + 192
            // Weights are q − 32 with q in 0..<64: Σ (q−32)·y = Σ q·y − 32·Σ y, per 16-value group
            // (each group has its own scale).
            var correction: Int32 = 0
            for group in 0..<16 {
                correction += Int32(sc.load(fromByteOffset: group, as: Int8.self)) * Int32(bsums.loadUnaligned(fromByteOffset: 2 * group, as: Int16.self))
            }
            var acc = _mm256_setzero_si256()
            for halfBlock in 0..<2 {
                let ql = bx + 64 * halfBlock, qh = bx + 128 + 32 * halfBlock, scales = sc + 8 * halfBlock, q = q8 + 128 * halfBlock
                let lowA = bytes32(ql), lowB = bytes32(ql + 32), high = bytes32(qh)
                // Bits 4–5 of each value: bit pairs 0–1, 2–3, 4–5, 6–7 of `high`, moved to 4–5.
                let bits45 = _mm256_set1_epi8(0x30)
                let high0 = _mm256_and_si256(_mm256_slli_epi16(high, 4), bits45)
                let high1 = _mm256_and_si256(_mm256_slli_epi16(high, 2), bits45)
                let high2 = _mm256_and_si256(high, bits45)
                let high3 = _mm256_and_si256(_mm256_srli_epi16(high, 2), bits45)
                acc = _mm256_add_epi32(acc, q6Quarter(_mm256_or_si256(lowNibbles(lowA), high0), q, scales))
                acc = _mm256_add_epi32(acc, q6Quarter(_mm256_or_si256(lowNibbles(lowB), high1), q + 32, scales + 2))
                acc = _mm256_add_epi32(acc, q6Quarter(_mm256_or_si256(highNibbles(lowA), high2), q + 64, scales + 4))
                acc = _mm256_add_epi32(acc, q6Quarter(_mm256_or_si256(highNibbles(lowB), high3), q + 96, scales + 6))
            }
            sum += d * Float(integerSum(acc) &- 32 &* correction)
        }
        return sum
    }

    /// One 32-value quarter of a Q6_K half block: products with the activations, lanes 0–3 times
    /// the first 16-value group's scale, lanes 4–7 times the second's.
    @inline(__always)
    static func q6Quarter(_ values: __m256i, _ q8: UnsafeRawPointer, _ scales: UnsafeRawPointer) -> __m256i {
        let s0 = Int16(scales.load(as: Int8.self)), s1 = Int16(scales.load(fromByteOffset: 1, as: Int8.self))
        return scaledIntegerProducts(values, bytes32(q8), _mm256_set_epi16(s1, s1, s1, s1, s1, s1, s1, s1, s0, s0, s0, s0, s0, s0, s0, s0))
    }

    // Byte-lane helpers on intrinsics: `SIMD32<UInt8>` shifts and masks compile to one
    // instruction per lane (measured: 30× slower in the Q6_K kernel).

    /// The low nibble of each of 32 bytes.
    @inline(__always)
    static func lowNibbles(_ v: __m256i) -> __m256i { _mm256_and_si256(v, _mm256_set1_epi8(0x0F)) }

    /// The high nibble of each of 32 bytes.
    @inline(__always)
    static func highNibbles(_ v: __m256i) -> __m256i { _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F)) }

    /// 16 in each byte whose `bit` is set in `bits`, else 0 (Q5_K's fifth bit).
    @inline(__always)
    static func fifthBit(_ bits: __m256i, _ bit: Int8) -> __m256i {
        let clear = _mm256_cmpeq_epi8(_mm256_and_si256(bits, _mm256_set1_epi8(bit)), _mm256_setzero_si256())
        return _mm256_andnot_si256(clear, _mm256_set1_epi8(16))
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

// MARK: - Tiles

/// Q4_1 × Q8_1 products in tiles: four rows against one token (decoding), two rows against
/// four tokens (prompts).
///
/// One row against one token (``DotProducts/q4_1(_:_:blocks:)``) is bound by the latency of
/// its single FMA chain: each block waits for the one before. A tile keeps four or eight
/// independent chains in flight and shares loads — the token's block across rows, a row's
/// unpacked nibbles across tokens. Each (row, token) still accumulates its blocks in the same
/// order into its own eight lanes, so results are bit-identical to the single product.
/// Measured here (debug build with -O, 2 threads, loaded machine; `nuri bench`): see
/// docs/BENCHMARKS.md. In this file with the helpers it calls: debug builds compile each file on
/// its own, and `@inline(__always)` helpers from another file stay calls (measured: 4× slower).
enum TiledProducts {
    /// `output[t × w.rows + r]` for `r` in `rows` and every token.
    static func multiply(_ w: WeightMatrix, activations: UnsafeRawPointer, activationBytes: Int, tokens: Int,
                         rows: Range<Int>, output: UnsafeMutablePointer<Float>) {
        let blocks = w.columns / 32
        var r = rows.lowerBound
        if tokens == 1 {
            while r + 4 <= rows.upperBound {
                let results = fourRows(w.base + r * w.rowBytes, rowBytes: w.rowBytes, activations, blocks: blocks)
                output[r] = results.0
                output[r + 1] = results.1
                output[r + 2] = results.2
                output[r + 3] = results.3
                r += 4
            }
        } else {
            while r + 2 <= rows.upperBound {
                var t = 0
                while t + 4 <= tokens {
                    let x = w.base + r * w.rowBytes, y = activations + t * activationBytes
                    twoRowsFourTokens(x, x + w.rowBytes, y, activationBytes: activationBytes, blocks: blocks,
                                      output: output + t * w.rows + r, outputStride: w.rows)
                    t += 4
                }
                for t in t..<tokens {
                    for row in r..<r + 2 {
                        output[t * w.rows + row] = DotProducts.q4_1(w.base + row * w.rowBytes, activations + t * activationBytes, blocks: blocks)
                    }
                }
                r += 2
            }
        }
        for row in r..<rows.upperBound {
            for t in 0..<tokens {
                output[t * w.rows + row] = DotProducts.q4_1(w.base + row * w.rowBytes, activations + t * activationBytes, blocks: blocks)
            }
        }
    }

    /// One block of one (row, token) pair: the integer products scaled into `acc`, the minimum's
    /// part into `minimums` — exactly as ``DotProducts/q4_1(_:_:blocks:)`` does it.
    @inline(__always)
    static func step(_ acc: inout __m256, _ minimums: inout Float, weights: __m256i, dx: Float, mx: Float,
                     activation: __m256i, dy: Float, sy: Float) {
        minimums += mx * sy
        acc = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy), DotProducts.unsignedSignedProducts(weights, activation), acc)
    }

    static func fourRows(_ x: UnsafeRawPointer, rowBytes: Int, _ y: UnsafeRawPointer, blocks: Int) -> (Float, Float, Float, Float) {
        var a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps()
        var m0: Float = 0, m1: Float = 0, m2: Float = 0, m3: Float = 0
        let x0 = x, x1 = x + rowBytes, x2 = x + 2 * rowBytes, x3 = x + 3 * rowBytes
        for i in 0..<blocks {
            let by = y + 40 * i
            let dy = by.loadUnaligned(as: Float.self), sy = by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            let qy = DotProducts.bytes32(by + 8)
            let b0 = x0 + 20 * i, b1 = x1 + 20 * i, b2 = x2 + 20 * i, b3 = x3 + 20 * i
            step(&a0, &m0, weights: DotProducts.nibbles(b0 + 4), dx: DotProducts.half(b0), mx: DotProducts.half(b0, 2), activation: qy, dy: dy, sy: sy)
            step(&a1, &m1, weights: DotProducts.nibbles(b1 + 4), dx: DotProducts.half(b1), mx: DotProducts.half(b1, 2), activation: qy, dy: dy, sy: sy)
            step(&a2, &m2, weights: DotProducts.nibbles(b2 + 4), dx: DotProducts.half(b2), mx: DotProducts.half(b2, 2), activation: qy, dy: dy, sy: sy)
            step(&a3, &m3, weights: DotProducts.nibbles(b3 + 4), dx: DotProducts.half(b3), mx: DotProducts.half(b3, 2), activation: qy, dy: dy, sy: sy)
        }
        return (DotProducts.horizontalSum(a0) + m0, DotProducts.horizontalSum(a1) + m1,
                DotProducts.horizontalSum(a2) + m2, DotProducts.horizontalSum(a3) + m3)
    }

    static func twoRowsFourTokens(_ x0: UnsafeRawPointer, _ x1: UnsafeRawPointer, _ y: UnsafeRawPointer, activationBytes: Int, blocks: Int,
                                  output: UnsafeMutablePointer<Float>, outputStride: Int) {
        var a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps(), a03 = _mm256_setzero_ps()
        var a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps(), a13 = _mm256_setzero_ps()
        var m00: Float = 0, m01: Float = 0, m02: Float = 0, m03: Float = 0
        var m10: Float = 0, m11: Float = 0, m12: Float = 0, m13: Float = 0
        let y0 = y, y1 = y + activationBytes, y2 = y + 2 * activationBytes, y3 = y + 3 * activationBytes
        for i in 0..<blocks {
            let b0 = x0 + 20 * i, b1 = x1 + 20 * i
            let w0 = DotProducts.nibbles(b0 + 4), w1 = DotProducts.nibbles(b1 + 4)
            let d0 = DotProducts.half(b0), d1 = DotProducts.half(b1)
            let n0 = DotProducts.half(b0, 2), n1 = DotProducts.half(b1, 2)
            var by = y0 + 40 * i
            var dy = by.loadUnaligned(as: Float.self), sy = by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            var qy = DotProducts.bytes32(by + 8)
            step(&a00, &m00, weights: w0, dx: d0, mx: n0, activation: qy, dy: dy, sy: sy)
            step(&a10, &m10, weights: w1, dx: d1, mx: n1, activation: qy, dy: dy, sy: sy)
            by = y1 + 40 * i
            dy = by.loadUnaligned(as: Float.self)
            sy = by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            qy = DotProducts.bytes32(by + 8)
            step(&a01, &m01, weights: w0, dx: d0, mx: n0, activation: qy, dy: dy, sy: sy)
            step(&a11, &m11, weights: w1, dx: d1, mx: n1, activation: qy, dy: dy, sy: sy)
            by = y2 + 40 * i
            dy = by.loadUnaligned(as: Float.self)
            sy = by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            qy = DotProducts.bytes32(by + 8)
            step(&a02, &m02, weights: w0, dx: d0, mx: n0, activation: qy, dy: dy, sy: sy)
            step(&a12, &m12, weights: w1, dx: d1, mx: n1, activation: qy, dy: dy, sy: sy)
            by = y3 + 40 * i
            dy = by.loadUnaligned(as: Float.self)
            sy = by.loadUnaligned(fromByteOffset: 4, as: Float.self)
            qy = DotProducts.bytes32(by + 8)
            step(&a03, &m03, weights: w0, dx: d0, mx: n0, activation: qy, dy: dy, sy: sy)
            step(&a13, &m13, weights: w1, dx: d1, mx: n1, activation: qy, dy: dy, sy: sy)
        }
        output[0] = DotProducts.horizontalSum(a00) + m00
        output[1] = DotProducts.horizontalSum(a10) + m10
        output[outputStride] = DotProducts.horizontalSum(a01) + m01
        output[outputStride + 1] = DotProducts.horizontalSum(a11) + m11
        output[2 * outputStride] = DotProducts.horizontalSum(a02) + m02
        output[2 * outputStride + 1] = DotProducts.horizontalSum(a12) + m12
        output[3 * outputStride] = DotProducts.horizontalSum(a03) + m03
        output[3 * outputStride + 1] = DotProducts.horizontalSum(a13) + m13
    }

    /// Q4_K: one row against four tokens (prompts): each block's nibbles and scales unpacked
    /// once for the four; every token's sums as ``DotProducts/q4_K(_:_:blocks:)`` makes them.
    static func q4_KFourTokens(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, activationBytes: Int, blocks: Int) -> SIMD4<Float> {
        var sums = SIMD4<Float>()
        for i in 0..<blocks {
            let bx = x + 144 * i
            let weightScale = DotProducts.half(bx), weightMin = DotProducts.half(bx, 2)
            let scales = bx + 4, qs = bx + 16
            var acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256(), acc2 = _mm256_setzero_si256(), acc3 = _mm256_setzero_si256()
            var minimums = SIMD8<Int16>()
            for j in 0..<8 { minimums[j] = Int16(KQuants.scaleAndMin(scales, j).1) }
            let y0 = y + 292 * i + 4, y1 = y0 + activationBytes, y2 = y1 + activationBytes, y3 = y2 + activationBytes
            for pair in 0..<4 {
                let packed = DotProducts.bytes32(qs + 32 * pair)
                let low = DotProducts.lowNibbles(packed), high = DotProducts.highNibbles(packed)
                let scale0 = _mm256_set1_epi16(Int16(KQuants.scaleAndMin(scales, 2 * pair).0))
                let scale1 = _mm256_set1_epi16(Int16(KQuants.scaleAndMin(scales, 2 * pair + 1).0))
                let offset = 64 * pair
                acc0 = _mm256_add_epi32(acc0, _mm256_add_epi32(DotProducts.scaledIntegerProducts(low, DotProducts.bytes32(y0 + offset), scale0),
                                                               DotProducts.scaledIntegerProducts(high, DotProducts.bytes32(y0 + offset + 32), scale1)))
                acc1 = _mm256_add_epi32(acc1, _mm256_add_epi32(DotProducts.scaledIntegerProducts(low, DotProducts.bytes32(y1 + offset), scale0),
                                                               DotProducts.scaledIntegerProducts(high, DotProducts.bytes32(y1 + offset + 32), scale1)))
                acc2 = _mm256_add_epi32(acc2, _mm256_add_epi32(DotProducts.scaledIntegerProducts(low, DotProducts.bytes32(y2 + offset), scale0),
                                                               DotProducts.scaledIntegerProducts(high, DotProducts.bytes32(y2 + offset + 32), scale1)))
                acc3 = _mm256_add_epi32(acc3, _mm256_add_epi32(DotProducts.scaledIntegerProducts(low, DotProducts.bytes32(y3 + offset), scale0),
                                                               DotProducts.scaledIntegerProducts(high, DotProducts.bytes32(y3 + offset + 32), scale1)))
            }
            func finish(_ acc: __m256i, _ activation: UnsafeRawPointer) -> Float {
                let dy = (activation - 4).loadUnaligned(as: Float.self)
                let bsums = activation + 256
                var summ: Int32 = 0
                for j in 0..<8 { summ += Int32(minimums[j]) * DotProducts.groupSum(bsums, j) }
                return (dy * weightScale) * Float(DotProducts.integerSum(acc)) - (dy * weightMin) * Float(summ)
            }
            sums[0] += finish(acc0, y0)
            sums[1] += finish(acc1, y1)
            sums[2] += finish(acc2, y2)
            sums[3] += finish(acc3, y3)
        }
        return sums
    }

    /// K-quant rows against several tokens: four tokens at a time where the type has a tile.
    static func kQuantTokens(_ w: WeightMatrix, activations: UnsafeRawPointer, activationBytes: Int, tokens: Int, rows: Range<Int>,
                             output: UnsafeMutablePointer<Float>) {
        let blocks = w.columns / 256
        for r in rows {
            let x = w.base + r * w.rowBytes
            var t = 0
            if w.type == .q4_K {
                while t + 4 <= tokens {
                    let sums = q4_KFourTokens(x, activations + t * activationBytes, activationBytes: activationBytes, blocks: blocks)
                    for k in 0..<4 { output[(t + k) * w.rows + r] = sums[k] }
                    t += 4
                }
            }
            for t in t..<tokens {
                output[t * w.rows + r] = DotProducts.dot(w.type, x, activations + t * activationBytes, count: w.columns)
            }
        }
    }

    // MARK: Signed 32-value blocks against Q8_0 (Q4_0, Q5_0, Q8_0)

    /// Whether ``signed(_:activations:activationBytes:tokens:rows:output:)`` takes this type.
    static func hasSignedTiles(_ type: GGMLType) -> Bool { type == .q4_0 || type == .q5_0 || type == .q8_0 }

    /// Rows of a Q4_0, Q5_0 or Q8_0 matrix against tokens in Q8_0, in tiles. Not generic, so the
    /// generic kernels are specialised here, in their own file (debug builds do not specialise
    /// across files).
    static func signed(_ w: WeightMatrix, activations: UnsafeRawPointer, activationBytes: Int, tokens: Int, rows: Range<Int>,
                       output: UnsafeMutablePointer<Float>) {
        switch w.type {
        case .q4_0: signed(Q4_0Blocks.self, w, activations: activations, activationBytes: activationBytes, tokens: tokens, rows: rows, output: output)
        case .q5_0: signed(Q5_0Blocks.self, w, activations: activations, activationBytes: activationBytes, tokens: tokens, rows: rows, output: output)
        default: signed(Q8_0Blocks.self, w, activations: activations, activationBytes: activationBytes, tokens: tokens, rows: rows, output: output)
        }
    }

    /// Rows of `W` against tokens in Q8_0, in tiles: four rows × one token, two rows × four tokens.
    static func signed<W: SignedBlocks>(_: W.Type, _ w: WeightMatrix, activations: UnsafeRawPointer, activationBytes: Int, tokens: Int,
                                        rows: Range<Int>, output: UnsafeMutablePointer<Float>) {
        let blocks = w.columns / 32
        var r = rows.lowerBound
        if tokens == 1 {
            while r + 4 <= rows.upperBound {
                let sums = signedFourRows(W.self, w.base + r * w.rowBytes, rowBytes: w.rowBytes, activations, blocks: blocks)
                for k in 0..<4 { output[r + k] = sums[k] }
                r += 4
            }
        } else {
            while r + 2 <= rows.upperBound {
                var t = 0
                while t + 4 <= tokens {
                    let x = w.base + r * w.rowBytes
                    let (first, second) = signedTwoRowsFourTokens(W.self, x, x + w.rowBytes, activations + t * activationBytes,
                                                                   activationBytes: activationBytes, blocks: blocks)
                    for k in 0..<4 {
                        output[(t + k) * w.rows + r] = first[k]
                        output[(t + k) * w.rows + r + 1] = second[k]
                    }
                    t += 4
                }
                for t in t..<tokens {
                    for row in r..<r + 2 {
                        output[t * w.rows + row] = DotProducts.dot(w.type, w.base + row * w.rowBytes, activations + t * activationBytes, count: w.columns)
                    }
                }
                r += 2
            }
        }
        for row in r..<rows.upperBound {
            for t in 0..<tokens {
                output[t * w.rows + row] = DotProducts.dot(w.type, w.base + row * w.rowBytes, activations + t * activationBytes, count: w.columns)
            }
        }
    }

    @inline(__always)
    static func signedStep(_ acc: inout __m256, weights: __m256i, dx: Float, activation: UnsafeRawPointer) {
        let d = _mm256_set1_ps(dx * DotProducts.half(activation))
        acc = _mm256_fmadd_ps(d, DotProducts.signedProducts(weights, DotProducts.bytes32(activation + 2)), acc)
    }

    static func signedFourRows<W: SignedBlocks>(_: W.Type, _ x: UnsafeRawPointer, rowBytes: Int, _ y: UnsafeRawPointer, blocks: Int) -> SIMD4<Float> {
        var a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps()
        for i in 0..<blocks {
            let by = y + 34 * i, offset = W.blockBytes * i
            signedStep(&a0, weights: W.values(x + offset), dx: DotProducts.half(x + offset), activation: by)
            signedStep(&a1, weights: W.values(x + rowBytes + offset), dx: DotProducts.half(x + rowBytes + offset), activation: by)
            signedStep(&a2, weights: W.values(x + 2 * rowBytes + offset), dx: DotProducts.half(x + 2 * rowBytes + offset), activation: by)
            signedStep(&a3, weights: W.values(x + 3 * rowBytes + offset), dx: DotProducts.half(x + 3 * rowBytes + offset), activation: by)
        }
        return SIMD4(DotProducts.horizontalSum(a0), DotProducts.horizontalSum(a1), DotProducts.horizontalSum(a2), DotProducts.horizontalSum(a3))
    }

    static func signedTwoRowsFourTokens<W: SignedBlocks>(_: W.Type, _ x0: UnsafeRawPointer, _ x1: UnsafeRawPointer, _ y: UnsafeRawPointer,
                                                         activationBytes: Int, blocks: Int) -> (SIMD4<Float>, SIMD4<Float>) {
        var a00 = _mm256_setzero_ps(), a01 = _mm256_setzero_ps(), a02 = _mm256_setzero_ps(), a03 = _mm256_setzero_ps()
        var a10 = _mm256_setzero_ps(), a11 = _mm256_setzero_ps(), a12 = _mm256_setzero_ps(), a13 = _mm256_setzero_ps()
        for i in 0..<blocks {
            let b0 = x0 + W.blockBytes * i, b1 = x1 + W.blockBytes * i
            let w0 = W.values(b0), w1 = W.values(b1), d0 = DotProducts.half(b0), d1 = DotProducts.half(b1)
            let by = y + 34 * i
            signedStep(&a00, weights: w0, dx: d0, activation: by)
            signedStep(&a10, weights: w1, dx: d1, activation: by)
            signedStep(&a01, weights: w0, dx: d0, activation: by + activationBytes)
            signedStep(&a11, weights: w1, dx: d1, activation: by + activationBytes)
            signedStep(&a02, weights: w0, dx: d0, activation: by + 2 * activationBytes)
            signedStep(&a12, weights: w1, dx: d1, activation: by + 2 * activationBytes)
            signedStep(&a03, weights: w0, dx: d0, activation: by + 3 * activationBytes)
            signedStep(&a13, weights: w1, dx: d1, activation: by + 3 * activationBytes)
        }
        return (SIMD4(DotProducts.horizontalSum(a00), DotProducts.horizontalSum(a01), DotProducts.horizontalSum(a02), DotProducts.horizontalSum(a03)),
                SIMD4(DotProducts.horizontalSum(a10), DotProducts.horizontalSum(a11), DotProducts.horizontalSum(a12), DotProducts.horizontalSum(a13)))
    }
}

/// A weight type whose 32-value blocks are an f16 scale and 32 signed values, multiplied with
/// Q8_0 activations: how to read a block's values (the scale is always its first two bytes).
protocol SignedBlocks {
    static var blockBytes: Int { get }
    static func values(_ block: UnsafeRawPointer) -> __m256i
}

enum Q4_0Blocks: SignedBlocks {
    static let blockBytes = 18
    @inline(__always)
    static func values(_ block: UnsafeRawPointer) -> __m256i { _mm256_sub_epi8(DotProducts.nibbles(block + 2), _mm256_set1_epi8(8)) }
}

enum Q5_0Blocks: SignedBlocks {
    static let blockBytes = 22
    @inline(__always)
    static func values(_ block: UnsafeRawPointer) -> __m256i {
        // nibble | (high bit ? 0 : 0xF0): q − 16 as a signed byte.
        let high = _mm256_andnot_si256(DotProducts.bytesFromBits(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)), _mm256_set1_epi8(-16))
        return _mm256_or_si256(DotProducts.nibbles(block + 6), high)
    }
}

enum Q8_0Blocks: SignedBlocks {
    static let blockBytes = 34
    @inline(__always)
    static func values(_ block: UnsafeRawPointer) -> __m256i { DotProducts.bytes32(block + 2) }
}
