/// Normalisations, as ggml computes them.
enum Normalization {
    /// RMSNorm in place over `count` values, then times `weight`: x · w / √(mean(x²) + ε).
    /// The sum of squares is accumulated in Double, as ggml does.
    static func rms(_ x: UnsafeMutablePointer<Float>, count: Int, weight: UnsafePointer<Float>?, epsilon: Float) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(x[i] * x[i]) }
        let mean = sum / Double(count)
        let scale = 1 / Float(mean + Double(epsilon)).squareRoot()
        if let weight {
            for i in 0..<count { x[i] = (x[i] * scale) * weight[i] }
        } else {
            for i in 0..<count { x[i] *= scale }
        }
    }
}
