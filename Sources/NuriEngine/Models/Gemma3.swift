import Foundation

/// The `gemma3` architecture (Gemma 3 text models).
///
/// Reference: llama.cpp's `llm_build_gemma3_iswa` (src/models/gemma3-iswa.cpp), b11312, and
/// Hugging Face's `Gemma3ForCausalLM`. What it adds to Llama:
/// - embeddings scaled by √embedding;
/// - RMSNorm on each head's query and key (`attn_q_norm`, `attn_k_norm`) before RoPE (NeoX layout);
/// - norms after the attention and feed-forward blocks too (`post_attention_norm`, `post_ffw_norm`);
/// - GeGLU (tanh GELU) instead of SwiGLU;
/// - five local layers with a sliding window and RoPE base 10 000 for every global layer
///   (layer i is global when (i + 1) % 6 == 0), whose RoPE base is the model's `rope.freq_base`.
/// Norm weights in GGUF already include Gemma's +1.
struct Gemma3: Architecture {
    struct Layer: Sendable {
        let attentionNorm, qNorm, kNorm, postAttentionNorm: WeightVector
        let q, k, v, o: WeightMatrix
        let feedForwardNorm, postFeedForwardNorm: WeightVector
        let gate, up, down: WeightMatrix
        let isGlobal: Bool
    }

    /// Every sixth layer attends globally; the others within the sliding window.
    static let globalLayerPeriod = 6
    /// RoPE base of the local (sliding-window) layers.
    static let localRopeBase: Float = 10_000

    let config: ModelConfig
    let embeddings: WeightMatrix
    let embeddingScale: Float
    let layers: [Layer]
    let outputNorm: WeightVector
    let output: WeightMatrix
    let globalRope, localRope: RoPE
    let globalShape, localShape: Attention.Shape

    init(file: GGUFFile, config: ModelConfig) throws(EngineError) {
        self.config = config
        let load = TensorLoader(file: file, config: config)
        let dim = config.embeddingLength, hd = config.headSize, qWidth = config.headCount * hd
        let kvWidth = config.kvHeadCount * hd, ff = config.feedForwardLength
        embeddings = try load.matrix("token_embd.weight", columns: dim, rows: config.vocabularySize, repack: false)
        embeddingScale = Float(dim).squareRoot()
        var layers: [Layer] = []
        for i in 0..<config.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try load.vector(p + "attn_norm.weight", count: dim),
                qNorm: try load.vector(p + "attn_q_norm.weight", count: hd),
                kNorm: try load.vector(p + "attn_k_norm.weight", count: hd),
                postAttentionNorm: try load.vector(p + "post_attention_norm.weight", count: dim),
                q: try load.matrix(p + "attn_q.weight", columns: dim, rows: qWidth),
                k: try load.matrix(p + "attn_k.weight", columns: dim, rows: kvWidth),
                v: try load.matrix(p + "attn_v.weight", columns: dim, rows: kvWidth),
                o: try load.matrix(p + "attn_output.weight", columns: qWidth, rows: dim),
                feedForwardNorm: try load.vector(p + "ffn_norm.weight", count: dim),
                postFeedForwardNorm: try load.vector(p + "post_ffw_norm.weight", count: dim),
                gate: try load.matrix(p + "ffn_gate.weight", columns: dim, rows: ff),
                up: try load.matrix(p + "ffn_up.weight", columns: dim, rows: ff),
                down: try load.matrix(p + "ffn_down.weight", columns: ff, rows: dim),
                isGlobal: (i + 1) % Self.globalLayerPeriod == 0))
        }
        self.layers = layers
        outputNorm = try load.vector("output_norm.weight", count: dim)
        output = try load.outputMatrix()
        globalRope = RoPE(dimensions: config.ropeDimensions, base: config.ropeBase, layout: .halves)
        localRope = RoPE(dimensions: config.ropeDimensions, base: Self.localRopeBase, layout: .halves)
        let scale = 1 / Float(hd).squareRoot()
        globalShape = .init(heads: config.headCount, kvHeads: config.kvHeadCount, headSize: hd, scale: scale, window: nil)
        localShape = .init(heads: config.headCount, kvHeads: config.kvHeadCount, headSize: hd, scale: scale, window: config.slidingWindow)
    }

    func embed(_ tokens: ArraySlice<Int32>, into x: UnsafeMutablePointer<Float>) {
        let dim = config.embeddingLength
        for (t, token) in tokens.enumerated() {
            let row = x + t * dim
            embeddings.row(Int(token), into: row)
            for i in 0..<dim { row[i] *= embeddingScale }
        }
    }

    func layer(_ index: Int, rows: Rows, workspace w: Workspace, parallel: Parallel) {
        let layer = layers[index]
        let n = rows.count
        let dim = config.embeddingLength, hd = config.headSize
        let qWidth = config.headCount * hd, kvWidth = config.kvHeadCount * hd
        let eps = config.rmsEpsilon
        let rope = layer.isGlobal ? globalRope : localRope

        // Row-wise work goes across the threads for a prompt's rows (Parallel.forEach).
        w.normed.update(from: w.x, count: n * dim)
        parallel.forEach(n) { t in Normalization.rms(w.normed + t * dim, count: dim, weight: layer.attentionNorm.pointer, epsilon: eps) }
        MatMul.multiply(layer.q, input: w.normed, tokens: n, output: w.q, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.k, input: w.normed, tokens: n, output: w.k, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.v, input: w.normed, tokens: n, output: w.v, scratch: w.matmulScratch, parallel: parallel)
        let config = self.config
        parallel.forEach(n) { t in
            for h in 0..<config.headCount { Normalization.rms(w.q + t * qWidth + h * hd, count: hd, weight: layer.qNorm.pointer, epsilon: eps) }
            for h in 0..<config.kvHeadCount { Normalization.rms(w.k + t * kvWidth + h * hd, count: hd, weight: layer.kNorm.pointer, epsilon: eps) }
            rope.apply(w.q + t * qWidth, heads: config.headCount, headSize: hd, position: rows.positions[t])
            rope.apply(w.k + t * kvWidth, heads: config.kvHeadCount, headSize: hd, position: rows.positions[t])
            store(w.k + t * kvWidth, into: rows.cache(t).keys(layer: index, position: rows.positions[t]), count: kvWidth)
            store(w.v + t * kvWidth, into: rows.cache(t).values(layer: index, position: rows.positions[t]), count: kvWidth)
        }
        Attention.attend(queries: w.q, rows: rows, layer: index, shape: layer.isGlobal ? globalShape : localShape,
                         output: w.attention, workspace: w, parallel: parallel)
        MatMul.multiply(layer.o, input: w.attention, tokens: n, output: w.blockOutput, scratch: w.matmulScratch, parallel: parallel)
        parallel.forEach(n) { t in
            let row = w.blockOutput + t * dim
            Normalization.rms(row, count: dim, weight: layer.postAttentionNorm.pointer, epsilon: eps)
            for i in 0..<dim { w.x[t * dim + i] += row[i] }
        }

        w.normed.update(from: w.x, count: n * dim)
        parallel.forEach(n) { t in Normalization.rms(w.normed + t * dim, count: dim, weight: layer.feedForwardNorm.pointer, epsilon: eps) }
        MatMul.multiply(layer.gate, input: w.normed, tokens: n, output: w.gate, scratch: w.matmulScratch, parallel: parallel)
        MatMul.multiply(layer.up, input: w.normed, tokens: n, output: w.up, scratch: w.matmulScratch, parallel: parallel)
        let ff = config.feedForwardLength
        parallel.forEach(n) { t in Activations.geglu(gate: w.gate + t * ff, up: w.up + t * ff, count: ff) }
        MatMul.multiply(layer.down, input: w.gate, tokens: n, output: w.blockOutput, scratch: w.matmulScratch, parallel: parallel)
        parallel.forEach(n) { t in
            let row = w.blockOutput + t * dim
            Normalization.rms(row, count: dim, weight: layer.postFeedForwardNorm.pointer, epsilon: eps)
            for i in 0..<dim { w.x[t * dim + i] += row[i] }
        }
    }
}
