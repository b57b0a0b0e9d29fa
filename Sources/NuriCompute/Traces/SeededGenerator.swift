import Foundation

/// A seeded random number generator (SplitMix64: a 64-bit counter through a mixing function), so a
/// synthetic workload is the same on every machine and Swift version for the same seed;
/// `SystemRandomNumberGenerator` is neither seeded nor reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Standard normal (Box–Muller; one of the pair is dropped to keep the sequence simple).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 0x1p-53), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A whole number in `0..<bound` (bound > 0), from the top bits (no modulo bias worth the name at these bounds).
    public mutating func below(_ bound: Int) -> Int {
        Int(unit() * Double(bound))
    }
}
