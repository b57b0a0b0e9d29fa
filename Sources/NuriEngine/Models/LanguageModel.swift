import Foundation

/// A GGUF language model loaded for inference: the file (memory-mapped), its architecture, and
/// the buffers of a forward pass.
///
/// `evaluate` appends tokens to a sequence's ``KVCache`` and returns logits. Calls are
/// serialised (one forward pass at a time uses all the model's threads); each sequence has its
/// own cache.
public final class LanguageModel: @unchecked Sendable {
    // @unchecked: the workspace is only touched under `lock`.

    public let file: GGUFFile
    public let config: ModelConfig
    /// Threads a forward pass uses.
    public let threads: Int
    let architecture: any Architecture
    private let workspace: Workspace
    private let parallel: Parallel
    private let lock = NSLock()

    /// Loads a model.
    /// - Parameters:
    ///   - threads: threads per forward pass (default: the machine's cores).
    ///   - batch: tokens processed together in a prompt (memory grows with it).
    public init(path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount, batch: Int = 128) throws(EngineError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: path)
        } catch {
            throw .gguf(error)
        }
        let config = try ModelConfig(file: file)
        self.file = file
        self.config = config
        self.threads = max(1, threads)
        architecture = try Self.architecture(for: config.architecture, file: file, config: config)
        workspace = Workspace(config: config, batch: max(1, batch), threads: self.threads)
        parallel = Parallel(threads: self.threads)
    }

    /// The matrix kernels this CPU runs: `avx512-vnni` or `avx2` (`NURI_KERNELS=avx2` forces the latter).
    public static var kernels: String { CPUFeatures.kernelName }

    static func architecture(for name: String, file: GGUFFile, config: ModelConfig) throws(EngineError) -> any Architecture {
        switch name {
        case "llama", "qwen2": return try Llama(file: file, config: config)
        case "gemma3": return try Gemma3(file: file, config: config)
        default: throw .unsupportedArchitecture(name)
        }
    }

    /// A cache for one sequence of up to `capacity` tokens (default: the trained context, at most 4096).
    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(config: config, capacity: max(1, capacity ?? min(config.trainedContextLength, 4_096)))
    }

    /// Appends `tokens` to the sequence in `cache` and returns the logits after the last one.
    public func evaluate(_ tokens: [Int32], cache: KVCache) throws(EngineError) -> [Float] {
        var last: [Float] = []
        try evaluate(tokens, cache: cache, outputs: tokens.isEmpty ? [] : [tokens.count - 1]) { _, logits in
            last = Array(logits)
        }
        return last
    }

    /// Appends `tokens` to the sequence in `cache`, calling `body(i, logits)` for each index `i`
    /// of `outputs` (positions within `tokens`, ascending) with the logits after token `i`.
    public func evaluate(_ tokens: [Int32], cache: KVCache, outputs: [Int], _ body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(EngineError) {
        try evaluate([SequenceInput(cache: cache, tokens: tokens, outputs: outputs)]) { _, index, logits in body(index, logits) }
    }

    /// One sequence's part of a batched forward pass.
    public struct SequenceInput {
        /// The sequence's cache; the tokens are appended to it.
        public var cache: KVCache
        public var tokens: [Int32]
        /// Positions within `tokens` (ascending) whose logits are wanted.
        public var outputs: [Int]

        public init(cache: KVCache, tokens: [Int32], outputs: [Int]) {
            self.cache = cache
            self.tokens = tokens
            self.outputs = outputs
        }

        /// The next tokens of a sequence, with the logits after the last one.
        public init(cache: KVCache, tokens: [Int32]) {
            self.init(cache: cache, tokens: tokens, outputs: tokens.isEmpty ? [] : [tokens.count - 1])
        }
    }

    /// Appends each sequence's tokens to its cache in one forward pass — a continuous batch: the
    /// weights are read once for all the rows — and calls `body(sequence, i, logits)` for each
    /// wanted output (`sequence` indexes `batch`, `i` its tokens), in row order.
    ///
    /// Everything is checked before anything changes: a cache may appear once, every token must
    /// be in the vocabulary and every sequence must fit its cache.
    public func evaluate(_ batch: [SequenceInput], _ body: (Int, Int, UnsafeBufferPointer<Float>) -> Void) throws(EngineError) {
        for (s, sequence) in batch.enumerated() {
            guard sequence.cache.count + sequence.tokens.count <= sequence.cache.capacity else {
                throw .contextFull(limit: sequence.cache.capacity, needed: sequence.cache.count + sequence.tokens.count)
            }
            for token in sequence.tokens where token < 0 || Int(token) >= config.vocabularySize {
                throw .invalidToken(token, vocabularySize: config.vocabularySize)
            }
            for other in batch[..<s] where other.cache === sequence.cache {
                throw .sequenceTwiceInBatch
            }
        }
        lock.lock()
        defer { lock.unlock() }
        let w = workspace, dim = config.embeddingLength, vocabulary = config.vocabularySize
        let caches = batch.map(\.cache)
        let starts = caches.map(\.count)
        for sequence in batch { sequence.cache.reserve(sequence.cache.count + sequence.tokens.count) }
        // Walk the rows of all sequences in chunks of up to `w.batch`.
        var sequence = 0, index = 0
        var nextOutput = [Int](repeating: 0, count: batch.count)
        var outputRows: [(row: Int, sequence: Int, index: Int)] = []
        while sequence < batch.count {
            var n = 0
            outputRows.removeAll(keepingCapacity: true)
            while n < w.batch && sequence < batch.count {
                let input = batch[sequence]
                guard index < input.tokens.count else {
                    sequence += 1
                    index = 0
                    continue
                }
                w.rowPositions[n] = starts[sequence] + index
                w.rowOwners[n] = sequence
                architecture.embed(input.tokens[index...index], into: w.x + n * dim)
                if nextOutput[sequence] < input.outputs.count, input.outputs[nextOutput[sequence]] == index {
                    outputRows.append((n, sequence, index))
                    nextOutput[sequence] += 1
                }
                n += 1
                index += 1
            }
            guard n > 0 else { break }
            let rows = Rows(count: n, positions: w.rowPositions, owners: w.rowOwners, caches: caches)
            for layer in 0..<config.layerCount {
                architecture.layer(layer, rows: rows, workspace: w, parallel: parallel)
            }
            for r in 0..<n {
                let cache = caches[w.rowOwners[r]]
                cache.count = max(cache.count, w.rowPositions[r] + 1)
            }
            // Outputs in this chunk: normalise those rows and project them to the vocabulary.
            if !outputRows.isEmpty {
                for (o, output) in outputRows.enumerated() {
                    let row = w.normed + o * dim
                    row.update(from: w.x + output.row * dim, count: dim)
                    Normalization.rms(row, count: dim, weight: architecture.outputNorm.pointer, epsilon: config.rmsEpsilon)
                }
                MatMul.multiply(architecture.output, input: w.normed, tokens: outputRows.count, output: w.logits,
                                scratch: w.matmulScratch, parallel: parallel)
                for (o, output) in outputRows.enumerated() {
                    body(output.sequence, output.index, UnsafeBufferPointer(start: w.logits + o * vocabulary, count: vocabulary))
                }
            }
        }
    }
}
