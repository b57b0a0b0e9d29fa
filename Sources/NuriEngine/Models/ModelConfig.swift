/// A model's hyperparameters, read from GGUF metadata under the architecture's prefix
/// (`llama.embedding_length`, `gemma3.attention.head_count`, …).
public struct ModelConfig: Sendable, Equatable {
    public let architecture: String
    /// Width of the residual stream (`embedding_length`).
    public let embeddingLength: Int
    public let layerCount: Int
    /// Hidden width of the feed-forward block.
    public let feedForwardLength: Int
    public let headCount: Int
    /// Key/value heads (grouped-query attention when fewer than ``headCount``).
    public let kvHeadCount: Int
    /// Width of one attention head (`attention.key_length`, else embedding / heads).
    public let headSize: Int
    public let rmsEpsilon: Float
    public let ropeBase: Float
    /// Dimensions of each head that RoPE rotates.
    public let ropeDimensions: Int
    /// Context the model was trained for.
    public let trainedContextLength: Int
    public let vocabularySize: Int
    /// Sliding-window size for local-attention layers (Gemma 3), or nil.
    public let slidingWindow: Int?

    public init(file: GGUFFile) throws(EngineError) {
        guard let architecture = file.string("general.architecture") else {
            throw .hyperparameter(key: "general.architecture", reason: "is missing")
        }
        func required(_ key: String) throws(EngineError) -> Int {
            guard let value = file.int("\(architecture).\(key)"), value > 0 else {
                throw .hyperparameter(key: "\(architecture).\(key)", reason: "is missing or not a positive integer")
            }
            return value
        }
        self.architecture = architecture
        embeddingLength = try required("embedding_length")
        layerCount = try required("block_count")
        feedForwardLength = try required("feed_forward_length")
        headCount = try required("attention.head_count")
        kvHeadCount = file.int("\(architecture).attention.head_count_kv") ?? headCount
        headSize = file.int("\(architecture).attention.key_length") ?? embeddingLength / headCount
        rmsEpsilon = file.float("\(architecture).attention.layer_norm_rms_epsilon") ?? 1e-5
        ropeBase = file.float("\(architecture).rope.freq_base") ?? 10_000
        ropeDimensions = file.int("\(architecture).rope.dimension_count") ?? headSize
        trainedContextLength = file.int("\(architecture).context_length") ?? 2_048
        vocabularySize = file.int("\(architecture).vocab_size") ?? file.metadata["tokenizer.ggml.tokens"]?.array?.count ?? 0
        slidingWindow = file.int("\(architecture).attention.sliding_window")
        guard kvHeadCount > 0, headCount % kvHeadCount == 0 else {
            throw .hyperparameter(key: "\(architecture).attention.head_count_kv", reason: "must divide the head count \(headCount)")
        }
        guard ropeDimensions <= headSize, ropeDimensions % 2 == 0 else {
            throw .hyperparameter(key: "\(architecture).rope.dimension_count", reason: "must be even and at most the head size \(headSize)")
        }
        guard vocabularySize > 0 else { throw .hyperparameter(key: "tokenizer.ggml.tokens", reason: "is missing") }
    }
}
