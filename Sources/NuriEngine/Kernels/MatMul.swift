/// The matrix products of a forward pass: `output[t] = W · input[t]` for a batch of tokens.
///
/// Activations are quantised once per call into the weights' ``ActivationFormat``; then rows of
/// `W` are split across threads and each row is multiplied with every token while it is in
/// cache (weights are read once per batch, which is what makes prompts fast).
enum MatMul {
    /// - Parameters:
    ///   - input: `[tokens, W.columns]` floats.
    ///   - output: `[tokens, W.rows]` floats.
    ///   - scratch: at least ``scratchBytes(_:tokens:)`` bytes.
    static func multiply(_ w: WeightMatrix, input: UnsafePointer<Float>, tokens: Int, output: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutableRawPointer, parallel: Parallel) {
        // Weights repacked for the AVX-512 kernels read activations in their own format.
        let format = w.interleaved?.activationFormat ?? ActivationFormat(weights: w.type)
        let activationBytes = format.rowBytes(w.columns)
        quantize(input, tokens: tokens, columns: w.columns, to: scratch, format: format, parallel: parallel)
        let out = SharedPointer(output), activations = SharedRawPointer(UnsafeRawPointer(scratch))
        if let packed = w.interleaved {
            let rows = w.rows
            parallel.forEachSlice(of: packed.groups) { groups in
                packed.multiply(activations: activations.pointer, activationBytes: activationBytes, tokens: tokens, rows: rows,
                                groups: groups, output: out.pointer)
            }
            return
        }
        if w.type == .q4_1 {
            // Slices of whole tiles (multiples of 4 rows), so only the last has a ragged end.
            parallel.forEachSlice(of: (w.rows + 3) / 4) { tiles in
                TiledProducts.multiply(w, activations: activations.pointer, activationBytes: activationBytes, tokens: tokens,
                                   rows: 4 * tiles.lowerBound..<min(w.rows, 4 * tiles.upperBound), output: out.pointer)
            }
            return
        }
        if w.type == .q4_K && tokens >= 4 {
            parallel.forEachSlice(of: w.rows) { rows in
                TiledProducts.kQuantTokens(w, activations: activations.pointer, activationBytes: activationBytes, tokens: tokens,
                                           rows: rows, output: out.pointer)
            }
            return
        }
        if TiledProducts.hasSignedTiles(w.type) {
            parallel.forEachSlice(of: (w.rows + 3) / 4) { tiles in
                TiledProducts.signed(w, activations: activations.pointer, activationBytes: activationBytes, tokens: tokens,
                                     rows: 4 * tiles.lowerBound..<min(w.rows, 4 * tiles.upperBound), output: out.pointer)
            }
            return
        }
        parallel.forEachSlice(of: w.rows) { rows in
            for r in rows {
                let row = w.base + r * w.rowBytes
                for t in 0..<tokens {
                    out.pointer[t * w.rows + r] = DotProducts.dot(w.type, row, activations.pointer + t * activationBytes, count: w.columns)
                }
            }
        }
    }

    /// Quantises each token's row of activations (a prompt's rows across the threads).
    static func quantize(_ input: UnsafePointer<Float>, tokens: Int, columns: Int, to scratch: UnsafeMutableRawPointer,
                         format: ActivationFormat, parallel: Parallel) {
        let rowBytes = format.rowBytes(columns)
        let x = SharedPointer(UnsafeMutablePointer(mutating: input)), y = SharedRawPointer(UnsafeRawPointer(scratch))
        parallel.forEach(tokens) { t in
            ActivationQuantizer.quantize(x.pointer + t * columns, count: columns, to: UnsafeMutableRawPointer(mutating: y.pointer) + t * rowBytes,
                                         format: format)
        }
    }

    /// Scratch bytes `multiply` needs for `tokens` rows of `columns` inputs of any weight type.
    static func scratchBytes(columns: Int, tokens: Int) -> Int {
        // Q8_1 has the most bytes per value of the 8-bit formats (40 per 32); F32's 4 per value is larger still.
        tokens * columns * 4 + 64
    }
}
