import Foundation

/// Causal multi-head attention over a ``KVCache``, with grouped-query heads and an optional
/// sliding window.
///
/// As in llama.cpp's CPU path, keys and values are stored as f16 and the query is rounded to
/// f16 for the q·k products; scores, softmax and the weighted sum of values are in f32.
enum Attention {
    struct Shape: Sendable {
        let heads: Int
        let kvHeads: Int
        let headSize: Int
        /// Multiplier of q·k (1/√headSize unless the architecture says otherwise).
        let scale: Float
        /// Keys older than this many positions are not attended to (Gemma 3's local layers).
        let window: Int?
    }

    /// - Parameters:
    ///   - queries: `[rows.count, heads × headSize]`, already rotated.
    ///   - rows: each row's sequence (its cache, where its own key already is) and position.
    ///   - output: `[rows.count, heads × headSize]`.
    ///   - scratch: per worker, `headSize` floats (room for two f16 head vectors).
    static func attend(queries: UnsafePointer<Float>, rows: Rows, layer: Int, shape: Shape,
                       output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let q = SharedPointer(UnsafeMutablePointer(mutating: queries)), out = SharedPointer(output), work = SharedPointer(scratch)
        let groupSize = shape.heads / shape.kvHeads
        let headSize = shape.headSize
        parallel.forEachSlice(of: rows.count * shape.heads) { worker, items in
            let query16 = UnsafeMutableRawPointer(work.pointer + worker * headSize).assumingMemoryBound(to: Float16.self)
            let accumulator = query16 + headSize
            for item in items {
                let t = item / shape.heads, h = item % shape.heads
                let position = rows.positions[t]
                let cache = rows.cache(t)
                let kvOffset = (h / groupSize) * headSize
                let query = q.pointer + t * shape.heads * headSize + h * headSize
                for i in 0..<headSize { query16[i] = Float16(query[i]) }
                let first = shape.window.map { max(0, position - $0 + 1) } ?? 0
                let result = out.pointer + t * shape.heads * headSize + h * headSize
                // Online softmax over the keys in order, accumulating the weighted values in f16
                // as llama.cpp's CPU flash-attention kernel does (its default on CPU).
                for i in 0..<headSize { accumulator[i] = 0 }
                var maximum = -Float.infinity
                var sum: Float = 0
                var j = first
                while j <= position {
                    // The positions of one cache block are consecutive, `cache.width` apart.
                    let block = j >> KVCache.blockShift
                    let end = min(position + 1, (block + 1) << KVCache.blockShift)
                    let offset = (j & (KVCache.blockPositions - 1)) * cache.width + kvOffset
                    var key = UnsafePointer(cache.blockKeys(block, layer: layer) + offset)
                    var value = UnsafePointer(cache.blockValues(block, layer: layer) + offset)
                    while j < end {
                        let score = dotHalf(query16, key, count: headSize) * shape.scale
                        var rescale: Float = 1, weight: Float = 1
                        if score > maximum {
                            let previous = maximum
                            maximum = score
                            rescale = expf(previous - maximum)
                            scaleHalf(accumulator, rescale, count: headSize)
                        } else {
                            weight = expf(score - maximum)
                        }
                        addScaledHalf(accumulator, value, weight, count: headSize)
                        sum = sum * rescale + weight
                        key += cache.width
                        value += cache.width
                        j += 1
                    }
                }
                let norm = 1 / sum
                for i in 0..<headSize { result[i] = Float(accumulator[i]) * norm }
            }
        }
    }

    @inline(__always)
    static func dotHalf(_ a: UnsafePointer<Float16>, _ b: UnsafePointer<Float16>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let x = SIMD8<Float>(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float16>.self))
            let y = SIMD8<Float>(UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float16>.self))
            acc = acc.addingProduct(x, y)
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            sum += Float(a[i]) * Float(b[i])
            i += 1
        }
        return sum
    }

    /// y ← f16(y + x·scale), element by element (ggml_vec_mad_f16).
    @inline(__always)
    static func addScaledHalf(_ y: UnsafeMutablePointer<Float16>, _ x: UnsafePointer<Float16>, _ scale: Float, count: Int) {
        var i = 0
        let s = SIMD8<Float>(repeating: scale)
        while i + 8 <= count {
            let v = SIMD8<Float>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float16>.self))
            let current = SIMD8<Float>(UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float16>.self))
            UnsafeMutableRawPointer(y + i).storeBytes(of: SIMD8<Float16>(current.addingProduct(v, s)), as: SIMD8<Float16>.self)
            i += 8
        }
        while i < count {
            y[i] = Float16(Float(y[i]).addingProduct(Float(x[i]), scale))
            i += 1
        }
    }

    /// y ← f16(y·scale) (ggml_vec_scale_f16).
    @inline(__always)
    static func scaleHalf(_ y: UnsafeMutablePointer<Float16>, _ scale: Float, count: Int) {
        for i in 0..<count { y[i] = Float16(Float(y[i]) * scale) }
    }
}
