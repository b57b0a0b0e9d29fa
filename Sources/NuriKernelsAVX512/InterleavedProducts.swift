import _Builtin_intrinsics.intel

/// Matrix products over weights repacked sixteen rows at a time, with AVX-512 VNNI.
///
/// This module is compiled for an AVX-512 VNNI CPU (`cascadelake`, which Zen 4 also runs); the
/// engine calls it only after checking the CPU at run time (`CPUFeatures`), and keeps its AVX2
/// kernels for the others.
///
/// Layout (written by the engine's `InterleavedWeights`): for each group of 16 rows, for each
/// block of 32 columns, one segment:
/// - the values as unsigned bytes, arranged so that one 64-byte vector holds four consecutive
///   values of each of the 16 rows (lane i = row i): eight such vectors per block, or four when
///   two 4-bit values share a byte (vector k holds values 4k… in its low nibbles and 4k+16… in
///   its high nibbles);
/// - 16 scales d; then, for blocks with a minimum (Q4_1, Q4_K), 16 minimums m: f16, or f32 for
///   Q4_K, whose per-32 scale d·sc and minimum −dmin·m are products ggml forms in f32.
/// A weight is d·v + m (Q4_1, Q4_K) or d·(v − offset) (Q4_0: 8, Q5_0: 16, Q8_0: 128, Q6_K: 32).
/// Q6_K has a scale per 16 values: its segments hold the first half's 16 scales where the
/// minimums would be the second half's, and its activations the integer sum of each half.
///
/// Activations are 40-byte blocks: f32 d, then f32 s = d·Σq (for blocks with a minimum) or
/// i32 Σq (for the others), then 32 signed bytes q. One `vpdpbusd` multiplies 64 weight bytes
/// by four activation bytes broadcast to every lane: 16 rows × 4 values per instruction. Every
/// token's sums are made by the same operations in the same order whatever the number of tokens
/// in the call, so a sequence gets the same logits alone or in a batch.
public enum InterleavedProducts {
    public struct Layout: Sendable {
        /// Two 4-bit values per byte (Q4_0, Q4_1) or one value per byte (Q5_0, Q8_0).
        public let nibbles: Bool
        /// Blocks carry minimums (Q4_1); otherwise weights are d·(v − offset).
        public let hasMinimum: Bool
        public let offset: Int32
        /// Scales and minimums as f32 rather than f16.
        public let floatScales: Bool
        /// A scale for each 16 values (Q6_K), the second half's in the minimums' place.
        public let halfScales: Bool

        public init(nibbles: Bool, hasMinimum: Bool, offset: Int32, floatScales: Bool = false, halfScales: Bool = false) {
            self.nibbles = nibbles
            self.hasMinimum = hasMinimum
            self.offset = offset
            self.floatScales = floatScales
            self.halfScales = halfScales
        }

        public var valueBytes: Int { nibbles ? 256 : 512 }
        /// Bytes of the 16 scales (and of the 16 minimums).
        public var scaleBytes: Int { floatScales ? 64 : 32 }
        public var segmentBytes: Int { valueBytes + (hasMinimum || halfScales ? 2 : 1) * scaleBytes }
    }

    /// `output[t × outputStride + r]` for the rows of `groups` (16 each, the last possibly cut
    /// at `rows`) and `tokens` tokens whose activation rows are `activationBytes` apart.
    public static func multiply(_ packed: UnsafeRawPointer, layout: Layout, blocks: Int, groups: Range<Int>, rows: Int,
                                activations: UnsafeRawPointer, activationBytes: Int, tokens: Int,
                                output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let groupBytes = blocks * layout.segmentBytes
        for g in groups {
            let segments = packed + g * groupBytes
            let live = min(16, rows - 16 * g)
            let mask: UInt16 = live == 16 ? 0xFFFF : UInt16((1 << live) - 1)
            let out = output + 16 * g
            var t = 0
            while t + 8 <= tokens {
                eightTokens(segments, layout: layout, blocks: blocks, activations: activations + t * activationBytes,
                            activationBytes: activationBytes, output: out + t * outputStride, outputStride: outputStride, mask: mask)
                t += 8
            }
            while t + 4 <= tokens {
                fourTokens(segments, layout: layout, blocks: blocks, activations: activations + t * activationBytes,
                           activationBytes: activationBytes, output: out + t * outputStride, outputStride: outputStride, mask: mask)
                t += 4
            }
            while t < tokens {
                oneToken(segments, layout: layout, blocks: blocks, activations: activations + t * activationBytes,
                         output: out + t * outputStride, mask: mask)
                t += 1
            }
        }
    }

    /// Eight vectors of 64 unsigned bytes: a block's values for the 16 rows.
    struct Values {
        var v0, v1, v2, v3, v4, v5, v6, v7: __m512i

        @inline(__always)
        init(_ segment: UnsafeRawPointer, nibbles: Bool) {
            if nibbles {
                let low = _mm512_set1_epi8(0x0F)
                let p0 = _mm512_loadu_si512(segment), p1 = _mm512_loadu_si512(segment + 64)
                let p2 = _mm512_loadu_si512(segment + 128), p3 = _mm512_loadu_si512(segment + 192)
                v0 = _mm512_and_si512(p0, low)
                v1 = _mm512_and_si512(p1, low)
                v2 = _mm512_and_si512(p2, low)
                v3 = _mm512_and_si512(p3, low)
                v4 = _mm512_and_si512(_mm512_srli_epi16(p0, 4), low)
                v5 = _mm512_and_si512(_mm512_srli_epi16(p1, 4), low)
                v6 = _mm512_and_si512(_mm512_srli_epi16(p2, 4), low)
                v7 = _mm512_and_si512(_mm512_srli_epi16(p3, 4), low)
            } else {
                v0 = _mm512_loadu_si512(segment)
                v1 = _mm512_loadu_si512(segment + 64)
                v2 = _mm512_loadu_si512(segment + 128)
                v3 = _mm512_loadu_si512(segment + 192)
                v4 = _mm512_loadu_si512(segment + 256)
                v5 = _mm512_loadu_si512(segment + 320)
                v6 = _mm512_loadu_si512(segment + 384)
                v7 = _mm512_loadu_si512(segment + 448)
            }
        }
    }

    @inline(__always)
    static func broadcast(_ q: UnsafeRawPointer, _ offset: Int) -> __m512i {
        _mm512_set1_epi32(q.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }

    /// One block of one token, added into `sums` (16 rows).
    @inline(__always)
    static func block(_ sums: inout __m512, _ w: Values, scales: __m512, minimums: __m512, layout: Layout,
                      activation y: UnsafeRawPointer) {
        let q = y + 8
        if layout.halfScales {
            // Values 0–15 and 16–31 in two chains, each with its own scale.
            var first = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.v0, broadcast(q, 0))
            var second = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.v4, broadcast(q, 16))
            first = _mm512_dpbusd_epi32(first, w.v1, broadcast(q, 4))
            second = _mm512_dpbusd_epi32(second, w.v5, broadcast(q, 20))
            first = _mm512_dpbusd_epi32(first, w.v2, broadcast(q, 8))
            second = _mm512_dpbusd_epi32(second, w.v6, broadcast(q, 24))
            first = _mm512_dpbusd_epi32(first, w.v3, broadcast(q, 12))
            second = _mm512_dpbusd_epi32(second, w.v7, broadcast(q, 28))
            first = _mm512_sub_epi32(first, _mm512_set1_epi32(layout.offset &* Int32(y.loadUnaligned(fromByteOffset: 4, as: Int16.self))))
            second = _mm512_sub_epi32(second, _mm512_set1_epi32(layout.offset &* Int32(y.loadUnaligned(fromByteOffset: 6, as: Int16.self))))
            let da = _mm512_set1_ps(y.loadUnaligned(as: Float.self))
            sums = _mm512_fmadd_ps(_mm512_cvtepi32_ps(first), _mm512_mul_ps(scales, da), sums)
            sums = _mm512_fmadd_ps(_mm512_cvtepi32_ps(second), _mm512_mul_ps(minimums, da), sums)
            return
        }
        var even = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.v0, broadcast(q, 0))
        var odd = _mm512_dpbusd_epi32(_mm512_setzero_si512(), w.v1, broadcast(q, 4))
        even = _mm512_dpbusd_epi32(even, w.v2, broadcast(q, 8))
        odd = _mm512_dpbusd_epi32(odd, w.v3, broadcast(q, 12))
        even = _mm512_dpbusd_epi32(even, w.v4, broadcast(q, 16))
        odd = _mm512_dpbusd_epi32(odd, w.v5, broadcast(q, 20))
        even = _mm512_dpbusd_epi32(even, w.v6, broadcast(q, 24))
        odd = _mm512_dpbusd_epi32(odd, w.v7, broadcast(q, 28))
        var total = _mm512_add_epi32(even, odd)
        let d = _mm512_mul_ps(scales, _mm512_set1_ps(y.loadUnaligned(as: Float.self)))
        if layout.hasMinimum {
            sums = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), d, sums)
            sums = _mm512_fmadd_ps(minimums, _mm512_set1_ps(y.loadUnaligned(fromByteOffset: 4, as: Float.self)), sums)
        } else {
            total = _mm512_sub_epi32(total, _mm512_set1_epi32(layout.offset &* y.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
            sums = _mm512_fmadd_ps(_mm512_cvtepi32_ps(total), d, sums)
        }
    }

    /// 16 scales or minimums, stored as f16 or f32.
    @inline(__always)
    static func floats(_ p: UnsafeRawPointer, _ layout: Layout) -> __m512 {
        layout.floatScales ? p.loadUnaligned(as: __m512.self) : _mm512_cvtph_ps(p.loadUnaligned(as: __m256i.self))
    }

    static func oneToken(_ segments: UnsafeRawPointer, layout: Layout, blocks: Int, activations: UnsafeRawPointer,
                         output: UnsafeMutablePointer<Float>, mask: UInt16) {
        var s0 = _mm512_setzero_ps()
        var minimums = _mm512_setzero_ps()
        for b in 0..<blocks {
            let segment = segments + b * layout.segmentBytes
            let w = Values(segment, nibbles: layout.nibbles)
            let scales = floats(segment + layout.valueBytes, layout)
            if layout.hasMinimum || layout.halfScales { minimums = floats(segment + layout.valueBytes + layout.scaleBytes, layout) }
            block(&s0, w, scales: scales, minimums: minimums, layout: layout, activation: activations + 40 * b)
        }
        _mm512_mask_storeu_ps(output, mask, s0)
    }

    static func fourTokens(_ segments: UnsafeRawPointer, layout: Layout, blocks: Int, activations: UnsafeRawPointer,
                           activationBytes: Int, output: UnsafeMutablePointer<Float>, outputStride: Int, mask: UInt16) {
        var s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps()
        var minimums = _mm512_setzero_ps()
        let y0 = activations, y1 = activations + activationBytes
        let y2 = activations + 2 * activationBytes, y3 = activations + 3 * activationBytes
        for b in 0..<blocks {
            let segment = segments + b * layout.segmentBytes
            let w = Values(segment, nibbles: layout.nibbles)
            let scales = floats(segment + layout.valueBytes, layout)
            if layout.hasMinimum || layout.halfScales { minimums = floats(segment + layout.valueBytes + layout.scaleBytes, layout) }
            block(&s0, w, scales: scales, minimums: minimums, layout: layout, activation: y0 + 40 * b)
            block(&s1, w, scales: scales, minimums: minimums, layout: layout, activation: y1 + 40 * b)
            block(&s2, w, scales: scales, minimums: minimums, layout: layout, activation: y2 + 40 * b)
            block(&s3, w, scales: scales, minimums: minimums, layout: layout, activation: y3 + 40 * b)
        }
        _mm512_mask_storeu_ps(output, mask, s0)
        _mm512_mask_storeu_ps(output + outputStride, mask, s1)
        _mm512_mask_storeu_ps(output + 2 * outputStride, mask, s2)
        _mm512_mask_storeu_ps(output + 3 * outputStride, mask, s3)
    }

    static func eightTokens(_ segments: UnsafeRawPointer, layout: Layout, blocks: Int, activations: UnsafeRawPointer,
                            activationBytes: Int, output: UnsafeMutablePointer<Float>, outputStride: Int, mask: UInt16) {
        var s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps()
        var s4 = _mm512_setzero_ps(), s5 = _mm512_setzero_ps(), s6 = _mm512_setzero_ps(), s7 = _mm512_setzero_ps()
        var minimums = _mm512_setzero_ps()
        for b in 0..<blocks {
            let segment = segments + b * layout.segmentBytes
            let w = Values(segment, nibbles: layout.nibbles)
            let scales = floats(segment + layout.valueBytes, layout)
            if layout.hasMinimum || layout.halfScales { minimums = floats(segment + layout.valueBytes + layout.scaleBytes, layout) }
            let y = activations + 40 * b
            block(&s0, w, scales: scales, minimums: minimums, layout: layout, activation: y)
            block(&s1, w, scales: scales, minimums: minimums, layout: layout, activation: y + activationBytes)
            block(&s2, w, scales: scales, minimums: minimums, layout: layout, activation: y + 2 * activationBytes)
            block(&s3, w, scales: scales, minimums: minimums, layout: layout, activation: y + 3 * activationBytes)
            block(&s4, w, scales: scales, minimums: minimums, layout: layout, activation: y + 4 * activationBytes)
            block(&s5, w, scales: scales, minimums: minimums, layout: layout, activation: y + 5 * activationBytes)
            block(&s6, w, scales: scales, minimums: minimums, layout: layout, activation: y + 6 * activationBytes)
            block(&s7, w, scales: scales, minimums: minimums, layout: layout, activation: y + 7 * activationBytes)
        }
        _mm512_mask_storeu_ps(output, mask, s0)
        _mm512_mask_storeu_ps(output + outputStride, mask, s1)
        _mm512_mask_storeu_ps(output + 2 * outputStride, mask, s2)
        _mm512_mask_storeu_ps(output + 3 * outputStride, mask, s3)
        _mm512_mask_storeu_ps(output + 4 * outputStride, mask, s4)
        _mm512_mask_storeu_ps(output + 5 * outputStride, mask, s5)
        _mm512_mask_storeu_ps(output + 6 * outputStride, mask, s6)
        _mm512_mask_storeu_ps(output + 7 * outputStride, mask, s7)
    }
}
