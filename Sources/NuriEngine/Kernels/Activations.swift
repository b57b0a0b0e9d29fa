import Foundation

/// Element-wise activation functions of the feed-forward blocks.
enum Activations {
    /// SwiGLU: gate ← silu(gate) · up, with silu(x) = x / (1 + e^−x).
    static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// GeGLU with the tanh approximation of GELU (Gemma): gate ← gelu(gate) · up.
    ///
    /// As in ggml (its default `GGML_GELU_FP16`), GELU is evaluated at half precision: the input
    /// is rounded to f16 and the result is read from a table of f16 values, which this computes
    /// on the fly; beyond ±10 GELU is 0 or the identity.
    static func geglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = gate[i]
            if x <= -10 {
                gate[i] = 0
            } else if x >= 10 {
                gate[i] = x * up[i]
            } else {
                gate[i] = Float(Float16(gelu(Float(Float16(x))))) * up[i]
            }
        }
    }

    /// GELU, tanh approximation: ½x(1 + tanh(√(2/π)·x·(1 + 0.044715x²))).
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.797_884_560_802_865_4
        return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + 0.044715 * x * x)))
    }
}
