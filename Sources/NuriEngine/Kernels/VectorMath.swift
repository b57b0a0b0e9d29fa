import _Builtin_intrinsics.intel

/// Element-wise functions on eight floats at a time, for the softmax of attention's prompt path
/// and SwiGLU (ggml evaluates both with a vector exponential too).
enum VectorMath {
    /// e^x for eight values: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁷
    /// (relative error below 1e-8, under f32's rounding), 2^k from the exponent bits. x is
    /// clamped to [−87, 88], where 2^k stays a normal float (e^−87 ≈ 1.6e−38, e^88 ≈ 1.7e38).
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let v = _mm256_min_ps(_mm256_max_ps(unsafeBitCast(x, to: __m256.self), _mm256_set1_ps(-87)), _mm256_set1_ps(88))
        let ki = _mm256_cvtps_epi32(_mm256_mul_ps(v, _mm256_set1_ps(1.442_695_04)))  // to nearest
        let k = _mm256_cvtepi32_ps(ki)
        var r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693_359_375), v)
        r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.121_944_4e-4), r)
        var p = _mm256_set1_ps(1 / 5040)
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1 / 720))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1 / 120))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1 / 24))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1 / 6))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1))
        let exponent = _mm256_slli_epi32(_mm256_add_epi32(ki, _mm256_set1_epi32(127)), 23)
        return unsafeBitCast(_mm256_mul_ps(p, _mm256_castsi256_ps(exponent)), to: SIMD8<Float>.self)
    }
}
