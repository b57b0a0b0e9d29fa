/// Everything a tokenizer needs, as plain values: what a GGUF file's `tokenizer.*` keys hold.
///
/// Optional fields are `nil` when the metadata has no such key; ``Tokenizer`` then applies the
/// defaults llama.cpp applies for the model kind (for example BOS 1 / EOS 2 / unknown 0 and a
/// prepended BOS for SentencePiece vocabularies).
public struct TokenizerVocabulary: Sendable, Equatable {
    /// The tokenizer algorithm (`tokenizer.ggml.model`).
    public enum Model: String, Sendable, Equatable {
        /// Byte-level BPE with merge ranks, as GPT-2 (`gpt2`).
        case bytePairEncoding = "gpt2"
        /// SentencePiece-style BPE by scores with `<0xXX>` byte fallback (`llama`).
        case sentencePiece = "llama"
    }

    /// The tokenizer algorithm.
    public var model: Model
    /// `tokenizer.ggml.pre`: which pre-tokenizer splits text before BPE (byte-level BPE only).
    /// `nil` or empty means llama.cpp's `default`.
    public var preTokenizer: String?
    /// Token texts, by id (`tokenizer.ggml.tokens`).
    public var tokens: [String]
    /// Token scores, by id (`tokenizer.ggml.scores`); SentencePiece merges by them.
    public var scores: [Float]?
    /// Token types, by id (`tokenizer.ggml.token_type`): 1 normal, 2 unknown, 3 control,
    /// 4 user defined, 5 unused, 6 byte. Without them every token is normal.
    public var tokenTypes: [Int32]?
    /// Merge rules `"left right"`, best first (`tokenizer.ggml.merges`; byte-level BPE).
    public var merges: [String]

    /// `tokenizer.ggml.bos_token_id`.
    public var bosID: Int32?
    /// `tokenizer.ggml.eos_token_id`.
    public var eosID: Int32?
    /// `tokenizer.ggml.eot_token_id` (end of turn).
    public var eotID: Int32?
    /// `tokenizer.ggml.eom_token_id` (end of message).
    public var eomID: Int32?
    /// `tokenizer.ggml.unknown_token_id`.
    public var unknownID: Int32?
    /// `tokenizer.ggml.seperator_token_id` (sic).
    public var separatorID: Int32?
    /// `tokenizer.ggml.padding_token_id`.
    public var paddingID: Int32?
    /// `tokenizer.ggml.mask_token_id`.
    public var maskID: Int32?
    /// `tokenizer.ggml.fim_pre_token_id` (fill-in-the-middle prefix; the older
    /// `prefix_token_id` wins when valid, as in llama.cpp).
    public var fimPrefixID: Int32?
    /// `tokenizer.ggml.fim_suf_token_id` (or the older `suffix_token_id`).
    public var fimSuffixID: Int32?
    /// `tokenizer.ggml.fim_mid_token_id` (or the older `middle_token_id`).
    public var fimMiddleID: Int32?
    /// `tokenizer.ggml.fim_pad_token_id`; it ends generation.
    public var fimPadID: Int32?
    /// `tokenizer.ggml.fim_rep_token_id` (repository name); it ends generation.
    public var fimRepoID: Int32?
    /// `tokenizer.ggml.fim_sep_token_id` (file separator); it ends generation.
    public var fimSeparatorID: Int32?

    /// `tokenizer.ggml.add_bos_token`.
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_eos_token`.
    public var addEOS: Bool?
    /// `tokenizer.ggml.add_space_prefix`.
    public var addSpacePrefix: Bool?

    /// `general.name`: llama.cpp adjusts a few token attributes by model name (Phi-3).
    public var modelName: String?

    /// A vocabulary from its parts; the optional metadata starts absent.
    public init(model: Model, preTokenizer: String? = nil, tokens: [String], scores: [Float]? = nil,
                tokenTypes: [Int32]? = nil, merges: [String] = []) {
        self.model = model
        self.preTokenizer = preTokenizer
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.merges = merges
    }
}
