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
        guard cache.count + tokens.count <= cache.capacity else {
            throw .contextFull(limit: cache.capacity, needed: cache.count + tokens.count)
        }
        for token in tokens where token < 0 || Int(token) >= config.vocabularySize {
            throw .invalidToken(token, vocabularySize: config.vocabularySize)
        }
        lock.lock()
        defer { lock.unlock() }
        let w = workspace, dim = config.embeddingLength, vocabulary = config.vocabularySize
        var next = outputs.makeIterator().makePeekable()
        var chunkStart = 0
        while chunkStart < tokens.count {
            let n = min(w.batch, tokens.count - chunkStart)
            let start = cache.count
            architecture.embed(tokens[chunkStart..<chunkStart + n], into: w.x)
            for layer in 0..<config.layerCount {
                architecture.layer(layer, tokens: n, start: start, cache: cache, workspace: w, parallel: parallel)
            }
            cache.count += n
            // Outputs in this chunk: normalise those rows and project them to the vocabulary.
            var rows: [Int] = []
            while let index = next.peek(), index < chunkStart + n {
                if index >= chunkStart { rows.append(index) }
                _ = next.next()
            }
            if !rows.isEmpty {
                for (r, index) in rows.enumerated() {
                    let row = w.normed + r * dim
                    row.update(from: w.x + (index - chunkStart) * dim, count: dim)
                    Normalization.rms(row, count: dim, weight: architecture.outputNorm.pointer, epsilon: config.rmsEpsilon)
                }
                MatMul.multiply(architecture.output, input: w.normed, tokens: rows.count, output: w.logits,
                                scratch: w.matmulScratch, parallel: parallel)
                for (r, index) in rows.enumerated() {
                    body(index, UnsafeBufferPointer(start: w.logits + r * vocabulary, count: vocabulary))
                }
            }
            chunkStart += n
        }
    }
}

/// An iterator that can look at its next element without taking it.
struct PeekableIterator<Base: IteratorProtocol>: IteratorProtocol {
    var base: Base
    var peeked: Base.Element??

    mutating func peek() -> Base.Element? {
        if let peeked { return peeked }
        let value = base.next()
        peeked = .some(value)
        return value
    }

    mutating func next() -> Base.Element? {
        if let value = peeked {
            peeked = nil
            return value
        }
        return base.next()
    }
}

extension IteratorProtocol {
    func makePeekable() -> PeekableIterator<Self> { PeekableIterator(base: self, peeked: nil) }
}
