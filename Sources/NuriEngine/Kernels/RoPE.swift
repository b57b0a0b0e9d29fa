import Foundation

/// Rotary position embedding, as ggml's `rope` computes it.
///
/// Angles for position p are p·base^(−2i/d) for pair i, computed as ggml does (θ starts at p and
/// is multiplied by base^(−2/d) for each pair, in Float) so rounding matches llama.cpp's.
struct RoPE: Sendable {
    enum Layout: Sendable {
        /// Pairs are adjacent values (2i, 2i+1): llama.
        case adjacent
        /// Pairs are (i, i + d/2): NeoX style, used by Gemma and Qwen2.
        case halves
    }

    let dimensions: Int
    let base: Float
    let layout: Layout

    /// Rotates `heads` vectors of `headSize` values (the first `dimensions` of each) at `position`.
    func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headSize: Int, position: Int) {
        let thetaScale = powf(base, -2 / Float(dimensions))
        var theta = Float(position)
        for i in 0..<dimensions / 2 {
            let cosine = cosf(theta), sine = sinf(theta)
            theta *= thetaScale
            let (a, b) = layout == .adjacent ? (2 * i, 2 * i + 1) : (i, i + dimensions / 2)
            for h in 0..<heads {
                let v = x + h * headSize
                let x0 = v[a], x1 = v[b]
                v[a] = x0 * cosine - x1 * sine
                v[b] = x0 * sine + x1 * cosine
            }
        }
    }
}
