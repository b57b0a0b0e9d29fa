import _Builtin_intrinsics.intel
import Foundation

/// Causal multi-head attention over a ``KVCache``, with grouped-query heads and an optional
/// sliding window.
///
/// Two paths, as llama.cpp's CPU flash attention has them:
/// - a sequence's few rows (decoding): keys and values stay f16, the query is rounded to f16 for
///   the q·k products and the weighted sum of values is accumulated in f16, key by key, with an
///   online softmax (ggml's one-row kernel, its numerics emulated);
/// - a sequence's many rows in one pass (at least ``promptRows``: a prompt): its keys and values
///   are converted to f32 once for all its rows, then per row and head the scores, a softmax and
///   the weighted sum of values in f32 (what ggml's tiled path computes for large batches).
enum Attention {
    /// Rows of one sequence in a pass from which the f32 prompt path is taken.
    static let promptRows = 64

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
    ///   - workspace: per-worker scratch (`attentionScratch`) and the prompt path's buffers.
    static func attend(queries: UnsafePointer<Float>, rows: Rows, layer: Int, shape: Shape,
                       output: UnsafeMutablePointer<Float>, workspace: Workspace, parallel: Parallel) {
        // Runs of at least `promptRows` rows of one sequence take the prompt path; the others
        // all go through the one-row path together.
        var anyLong = false, anyShort = false
        var start = 0
        while start < rows.count {
            var end = start + 1
            while end < rows.count && rows.owners[end] == rows.owners[start] { end += 1 }
            let long = end - start >= promptRows
            for r in start..<end { workspace.rowTakesPromptPath[r] = long }
            if long {
                anyLong = true
                attendPrompt(queries: queries, rows: rows, run: start..<end, layer: layer, shape: shape, output: output,
                             workspace: workspace, parallel: parallel)
            } else {
                anyShort = true
            }
            start = end
        }
        guard anyShort else { return }
        attendRows(queries: queries, rows: rows, layer: layer, shape: shape, output: output,
                   skipping: anyLong ? SharedPointer(workspace.rowTakesPromptPath) : nil,
                   scratch: workspace.attentionScratch, parallel: parallel)
    }

    /// The one-row path for every row but those `skipping` marks.
    static func attendRows(queries: UnsafePointer<Float>, rows: Rows, layer: Int, shape: Shape, output: UnsafeMutablePointer<Float>,
                           skipping: SharedPointer<Bool>?, scratch: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let q = SharedPointer(UnsafeMutablePointer(mutating: queries)), out = SharedPointer(output), work = SharedPointer(scratch)
        let groupSize = shape.heads / shape.kvHeads
        let headSize = shape.headSize
        parallel.forEachSlice(of: rows.count * shape.heads) { worker, items in
            let query16 = UnsafeMutableRawPointer(work.pointer + worker * headSize).assumingMemoryBound(to: Float16.self)
            let accumulator = query16 + headSize
            for item in items {
                let t = item / shape.heads, h = item % shape.heads
                if let skipping, skipping.pointer[t] { continue }
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

    /// The prompt path for rows `run` of one sequence (consecutive positions).
    static func attendPrompt(queries: UnsafePointer<Float>, rows: Rows, run: Range<Int>, layer: Int, shape: Shape,
                             output: UnsafeMutablePointer<Float>, workspace: Workspace, parallel: Parallel) {
        let cache = rows.cache(run.lowerBound)
        let headSize = shape.headSize, kvHeads = shape.kvHeads, groupSize = shape.heads / shape.kvHeads
        let last = rows.positions[run.upperBound - 1]
        let first = shape.window.map { max(0, rows.positions[run.lowerBound] - $0 + 1) } ?? 0
        let length = last - first + 1
        // Keys then values, [kvHead, position - first, headSize], then per worker the scores.
        let kvFloats = kvHeads * length * headSize
        let buffer = SharedPointer(workspace.promptScratch(floats: 2 * kvFloats + parallel.threads * (length + 8)))
        parallel.forEachSlice(of: length) { range in
            for i in range {
                let keys = cache.keys(layer: layer, position: first + i), values = cache.values(layer: layer, position: first + i)
                for h in 0..<kvHeads {
                    let k = buffer.pointer + (h * length + i) * headSize, v = buffer.pointer + kvFloats + (h * length + i) * headSize
                    for d in 0..<headSize {
                        k[d] = Float(keys[h * headSize + d])
                        v[d] = Float(values[h * headSize + d])
                    }
                }
            }
        }
        let q = SharedPointer(UnsafeMutablePointer(mutating: queries)), out = SharedPointer(output)
        let base = run.lowerBound
        parallel.forEachSlice(of: run.count * shape.heads) { worker, items in
            let scores = buffer.pointer + 2 * kvFloats + worker * (length + 8)
            for item in items {
                let t = base + item / shape.heads, h = item % shape.heads, kvHead = h / groupSize
                let position = rows.positions[t]
                let lowest = shape.window.map { max(0, position - $0 + 1) } ?? 0
                let query = q.pointer + t * shape.heads * headSize + h * headSize
                let keys = buffer.pointer + kvHead * length * headSize, values = buffer.pointer + kvFloats + kvHead * length * headSize
                let from = lowest - first, to = position - first  // inclusive, indices into the f32 copy
                var maximum = -Float.infinity
                for j in from...to {
                    let score = dot(query, keys + j * headSize, count: headSize) * shape.scale
                    scores[j - from] = score
                    maximum = max(maximum, score)
                }
                let count = to - from + 1
                let sum = exponentiate(scores, count: count, minus: maximum)
                weightedSum(scores, values + from * headSize, count: count, headSize: headSize,
                            scale: 1 / sum, into: out.pointer + t * shape.heads * headSize + h * headSize)
            }
        }
    }

    /// Σ a·b over `count` f32 values.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            s0 = s0.addingProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self), UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            s1 = s1.addingProduct(UnsafeRawPointer(a + i + 8).loadUnaligned(as: SIMD8<Float>.self), UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Float>.self))
            i += 16
        }
        var sum = (s0 + s1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// x ← e^(x − maximum) for `count` values; returns their sum.
    static func exponentiate(_ x: UnsafeMutablePointer<Float>, count: Int, minus maximum: Float) -> Float {
        var total = SIMD8<Float>()
        var i = 0
        let m = SIMD8<Float>(repeating: maximum)
        while i + 8 <= count {
            let e = VectorMath.exp8(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - m)
            UnsafeMutableRawPointer(x + i).storeBytes(of: e, as: SIMD8<Float>.self)
            total += e
            i += 8
        }
        var sum = total.sum()
        while i < count {
            x[i] = expf(x[i] - maximum)
            sum += x[i]
            i += 1
        }
        return sum
    }

    /// output = scale · Σ_j weights[j] · values[j] (rows of `headSize`), 64 dimensions at a time
    /// in registers.
    static func weightedSum(_ weights: UnsafePointer<Float>, _ values: UnsafePointer<Float>, count: Int, headSize: Int,
                            scale: Float, into output: UnsafeMutablePointer<Float>) {
        var d = 0
        while d + 64 <= headSize {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            for j in 0..<count {
                let w = SIMD8<Float>(repeating: weights[j])
                let v = UnsafeRawPointer(values + j * headSize + d)
                a0 = a0.addingProduct(w, v.loadUnaligned(as: SIMD8<Float>.self))
                a1 = a1.addingProduct(w, v.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                a2 = a2.addingProduct(w, v.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                a3 = a3.addingProduct(w, v.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                a4 = a4.addingProduct(w, v.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self))
                a5 = a5.addingProduct(w, v.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self))
                a6 = a6.addingProduct(w, v.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self))
                a7 = a7.addingProduct(w, v.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self))
            }
            let s = SIMD8<Float>(repeating: scale), o = UnsafeMutableRawPointer(output + d)
            o.storeBytes(of: a0 * s, as: SIMD8<Float>.self)
            o.storeBytes(of: a1 * s, toByteOffset: 32, as: SIMD8<Float>.self)
            o.storeBytes(of: a2 * s, toByteOffset: 64, as: SIMD8<Float>.self)
            o.storeBytes(of: a3 * s, toByteOffset: 96, as: SIMD8<Float>.self)
            o.storeBytes(of: a4 * s, toByteOffset: 128, as: SIMD8<Float>.self)
            o.storeBytes(of: a5 * s, toByteOffset: 160, as: SIMD8<Float>.self)
            o.storeBytes(of: a6 * s, toByteOffset: 192, as: SIMD8<Float>.self)
            o.storeBytes(of: a7 * s, toByteOffset: 224, as: SIMD8<Float>.self)
            d += 64
        }
        while d < headSize {
            var a: Float = 0
            for j in 0..<count { a += weights[j] * values[j * headSize + d] }
            output[d] = a * scale
            d += 1
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
