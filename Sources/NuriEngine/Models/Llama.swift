/// The `llama` architecture (Llama 2/3, SmolLM, Mistral-style) and `qwen2` (the same with biases
/// on q, k and v, and NeoX-style RoPE).
///
/// Reference: llama.cpp's `llm_build_llama` / `llm_build_qwen2` (src/models/), b11312.
/// Per layer: x += Wo·attn(rope(Wq·n), rope(Wk·n), Wv·n) with n = rmsnorm(x)·attn_norm;
/// x += Wdown·(silu(Wgate·n) ⊙ Wup·n) with n = rmsnorm(x)·ffn_norm.
/// Tensors: `token_embd`, `blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm,
/// ffn_gate, ffn_up, ffn_down}`, `output_norm`, `output` (or tied to `token_embd`).
struct Llama: Architecture {
    struct Layer: Sendable {
        let attentionNorm: WeightVector
        let q, k, v, o: WeightMatrix
        let qBias, kBias, vBias: WeightVector?
        let feedForwardNorm: WeightVector
        let gate, up, down: WeightMatrix
    }

    let config: ModelConfig
    let embeddings: WeightMatrix
    let layers: [Layer]
    let outputNorm: WeightVector
    let output: WeightMatrix
    let rope: RoPE
    let attentionShape: Attention.Shape

    init(file: GGUFFile, config: ModelConfig) throws(EngineError) {
        self.config = config
        let load = TensorLoader(file: file, config: config)
        let dim = config.embeddingLength, qWidth = config.headCount * config.headSize
        let kvWidth = config.kvHeadCount * config.headSize, ff = config.feedForwardLength
        embeddings = try load.matrix("token_embd.weight", columns: dim, rows: config.vocabularySize, repack: false)
        var layers: [Layer] = []
        for i in 0..<config.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try load.vector(p + "attn_norm.weight", count: dim),
                q: try load.matrix(p + "attn_q.weight", columns: dim, rows: qWidth),
                k: try load.matrix(p + "attn_k.weight", columns: dim, rows: kvWidth),
                v: try load.matrix(p + "attn_v.weight", columns: dim, rows: kvWidth),
                o: try load.matrix(p + "attn_output.weight", columns: qWidth, rows: dim),
                qBias: try load.optionalVector(p + "attn_q.bias", count: qWidth),
                kBias: try load.optionalVector(p + "attn_k.bias", count: kvWidth),
                vBias: try load.optionalVector(p + "attn_v.bias", count: kvWidth),
                feedForwardNorm: try load.vector(p + "ffn_norm.weight", count: dim),
                gate: try load.matrix(p + "ffn_gate.weight", columns: dim, rows: ff),
                up: try load.matrix(p + "ffn_up.weight", columns: dim, rows: ff),
                down: try load.matrix(p + "ffn_down.weight", columns: ff, rows: dim)))
        }
        self.layers = layers
        outputNorm = try load.vector("output_norm.weight", count: dim)
        output = try load.outputMatrix()
        rope = RoPE(dimensions: config.ropeDimensions, base: config.ropeBase, layout: config.architecture == "qwen2" ? .halves : .adjacent)
        attentionShape = .init(heads: config.headCount, kvHeads: config.kvHeadCount, headSize: config.headSize,
                               scale: 1 / Float(config.headSize).squareRoot(), window: nil)
    }

    func embed(_ tokens: ArraySlice<Int32>, into x: UnsafeMutablePointer<Float>) {
        for (t, token) in tokens.enumerated() { embeddings.row(Int(token), into: x + t * config.embeddingLength) }
    }

    func layer(_ index: Int, rows: Rows, workspace w: Workspace, parallel: Parallel) {
        let layer = layers[index]
        let n = rows.count
        let dim = config.embeddingLength, qWidth = config.headCount * config.headSize, kvWidth = config.kvHeadCount * config.headSize

        // Attention block.
        // Row-wise work goes across the threads for a prompt's rows (Parallel.forEach).
        let eps = config.rmsEpsilon
        w.normed.update(from: w.x, count: n * dim)
        parallel.forEach(n) { t in Normalization.rms(w.normed + t * dim, count: dim, weight: layer.attentionNorm.pointer, epsilon: eps) }
        MatMul.multiply(layer.q, input: w.normed, tokens: n, output: w.q, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.k, input: w.normed, tokens: n, output: w.k, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.v, input: w.normed, tokens: n, output: w.v, scratch: w.matmulScratch, parallel: parallel)
        parallel.forEach(n) { [self] t in
            if let bias = layer.qBias { add(bias, to: w.q + t * qWidth) }
            if let bias = layer.kBias { add(bias, to: w.k + t * kvWidth) }
            if let bias = layer.vBias { add(bias, to: w.v + t * kvWidth) }
            rope.apply(w.q + t * qWidth, heads: config.headCount, headSize: config.headSize, position: rows.positions[t])
            rope.apply(w.k + t * kvWidth, heads: config.kvHeadCount, headSize: config.headSize, position: rows.positions[t])
            store(w.k + t * kvWidth, into: rows.cache(t).keys(layer: index, position: rows.positions[t]), count: kvWidth)
            store(w.v + t * kvWidth, into: rows.cache(t).values(layer: index, position: rows.positions[t]), count: kvWidth)
        }
        Attention.attend(queries: w.q, rows: rows, layer: index, shape: attentionShape,
                         output: w.attention, workspace: w, parallel: parallel)
        MatMul.multiply(layer.o, input: w.attention, tokens: n, output: w.blockOutput, scratch: w.matmulScratch, parallel: parallel)
        for i in 0..<n * dim { w.x[i] += w.blockOutput[i] }

        // Feed-forward block.
        w.normed.update(from: w.x, count: n * dim)
        parallel.forEach(n) { t in Normalization.rms(w.normed + t * dim, count: dim, weight: layer.feedForwardNorm.pointer, epsilon: eps) }
        MatMul.multiply(layer.gate, input: w.normed, tokens: n, output: w.gate, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.up, input: w.normed, tokens: n, output: w.up, scratch: w.matmulScratch, parallel: parallel)
        let ff = config.feedForwardLength
        parallel.forEach(n) { t in Activations.swiglu(gate: w.gate + t * ff, up: w.up + t * ff, count: ff) }
        MatMul.multiply(layer.down, input: w.gate, tokens: n, output: w.blockOutput, scratch: w.matmulScratch, parallel: parallel)
        for i in 0..<n * dim { w.x[i] += w.blockOutput[i] }
    }

    private func add(_ bias: WeightVector, to x: UnsafeMutablePointer<Float>) {
        for i in 0..<bias.count { x[i] += bias.pointer[i] }
    }
}

/// Rounds `count` floats to f16 into the cache.
@inline(__always)
func store(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float16>, count: Int) {
    for i in 0..<count { destination[i] = Float16(source[i]) }
}
