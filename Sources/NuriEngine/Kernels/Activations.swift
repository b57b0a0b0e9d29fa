import Foundation

/// Element-wise activation functions of the feed-forward blocks.
enum Activations {
    /// SwiGLU: gate ← silu(gate) · up, with silu(x) = x / (1 + e^−x), eight at a time with
    /// the vector exponential (as ggml's `ggml_vec_swiglu_f32`), the tail with `expf`.
    static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let g = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD8<Float>.self)
            let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(gate + i).storeBytes(of: g / (1 + VectorMath.exp8(-g)) * u, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
            i += 1
        }
    }

    /// GeGLU with the tanh approximation of GELU (Gemma): gate ← gelu(gate) · up.
    ///
    /// As in ggml (its default `GGML_GELU_FP16`), GELU is evaluated at half precision: the input
    /// is rounded to f16 and the result read from a table of the f16 results for every f16
    /// input; beyond ±10 GELU is 0 or the identity.
    static func geglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        let table = geluTable
        for i in 0..<count {
            let x = gate[i]
            if x <= -10 {
                gate[i] = 0
            } else if x >= 10 {
                gate[i] = x * up[i]
            } else {
                gate[i] = Float(table[Int(Float16(x).bitPattern)]) * up[i]
            }
        }
    }

    /// f16(gelu(x)) for each of the 65,536 f16 bit patterns x (128 KiB, made on first use).
    nonisolated(unsafe) static let geluTable: UnsafePointer<Float16> = {
        let table = UnsafeMutablePointer<Float16>.allocate(capacity: 1 << 16)
        for bits in 0..<(1 << 16) {
            table[bits] = Float16(gelu(Float(Float16(bitPattern: UInt16(bits)))))
        }
        return UnsafePointer(table)
    }()

    /// GELU, tanh approximation: ½x(1 + tanh(√(2/π)·x·(1 + 0.044715x²))).
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let sqrt2OverPi: Float = 0.797_884_560_802_865_4
        return 0.5 * x * (1 + tanhf(sqrt2OverPi * x * (1 + 0.044715 * x * x)))
    }
}
