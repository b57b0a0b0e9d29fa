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
                var amax: Float = 0
                for j in 0..<32 { amax = max(amax, abs(source[j])) }
                let d = amax / 127
                let id: Float = amax != 0 ? 127 / amax : 0
                let qs = block + (withSum ? 8 : 2)
                var sum: Int32 = 0
                for j in 0..<32 {
                    let q = Int8((source[j] * id).rounded(.toNearestOrEven))
                    qs.storeBytes(of: q, toByteOffset: j, as: Int8.self)
                    sum += Int32(q)
                }
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
}
