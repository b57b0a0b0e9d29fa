/// Buffers for one forward pass over up to `batch` tokens, allocated once per model so that no
/// step of generation allocates. Shapes are per token (rows of `batch`).
final class Workspace: @unchecked Sendable {
    // @unchecked: used by one forward pass at a time (the model serialises calls).

    let batch: Int
    /// Residual stream `[batch, embedding]`.
    let x: UnsafeMutablePointer<Float>
    /// Normalised input of a block `[batch, embedding]`.
    let normed: UnsafeMutablePointer<Float>
    /// Queries `[batch, heads × headSize]`; keys and values `[batch, kvHeads × headSize]`.
    let q: UnsafeMutablePointer<Float>
    let k: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    /// Attention output `[batch, heads × headSize]`.
    let attention: UnsafeMutablePointer<Float>
    /// Feed-forward gate and up projections `[batch, feedForward]`.
    let gate: UnsafeMutablePointer<Float>
    let up: UnsafeMutablePointer<Float>
    /// A block's output before the residual add `[batch, embedding]`.
    let blockOutput: UnsafeMutablePointer<Float>
    /// Activations quantised for a matrix product.
    let matmulScratch: UnsafeMutableRawPointer
    /// Logits `[batch, vocabulary]`.
    let logits: UnsafeMutablePointer<Float>
    /// Attention's per-worker scratch: `headSize` floats each.
    let attentionScratch: UnsafeMutablePointer<Float>
    /// The prompt path of attention: f32 copies of a sequence's keys and values and per-worker
    /// scores (grown on demand, once per longer context).
    private var promptBuffer: UnsafeMutablePointer<Float>?
    private var promptBufferCount = 0

    func promptScratch(floats: Int) -> UnsafeMutablePointer<Float> {
        if let promptBuffer, promptBufferCount >= floats { return promptBuffer }
        promptBuffer?.deallocate()
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: floats)
        promptBuffer = buffer
        promptBufferCount = floats
        return buffer
    }

    /// Each row's position and sequence (an index into the pass's caches).
    let rowPositions: UnsafeMutablePointer<Int>
    let rowOwners: UnsafeMutablePointer<Int>
    /// Rows whose attention takes the prompt path in the current layer.
    let rowTakesPromptPath: UnsafeMutablePointer<Bool>

    init(config: ModelConfig, batch: Int, threads: Int) {
        self.batch = batch
        let qWidth = config.headCount * config.headSize, kvWidth = config.kvHeadCount * config.headSize
        x = .allocate(capacity: batch * config.embeddingLength)
        normed = .allocate(capacity: batch * config.embeddingLength)
        q = .allocate(capacity: batch * qWidth)
        k = .allocate(capacity: batch * kvWidth)
        v = .allocate(capacity: batch * kvWidth)
        attention = .allocate(capacity: batch * qWidth)
        gate = .allocate(capacity: batch * config.feedForwardLength)
        up = .allocate(capacity: batch * config.feedForwardLength)
        blockOutput = .allocate(capacity: batch * max(config.embeddingLength, qWidth))
        let widest = max(config.embeddingLength, config.feedForwardLength, qWidth)
        matmulScratch = .allocate(byteCount: MatMul.scratchBytes(columns: widest, tokens: batch), alignment: 64)
        logits = .allocate(capacity: batch * config.vocabularySize)
        attentionScratch = .allocate(capacity: threads * config.headSize)
        rowPositions = .allocate(capacity: batch)
        rowOwners = .allocate(capacity: batch)
        rowTakesPromptPath = .allocate(capacity: batch)
    }

    deinit {
        for pointer in [x, normed, q, k, v, attention, gate, up, blockOutput, logits, attentionScratch] { pointer.deallocate() }
        matmulScratch.deallocate()
        rowPositions.deallocate()
        promptBuffer?.deallocate()
        rowOwners.deallocate()
        rowTakesPromptPath.deallocate()
    }
}
