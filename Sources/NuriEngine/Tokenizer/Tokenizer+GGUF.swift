extension TokenizerVocabulary {
    /// Reads the `tokenizer.*` keys (and `general.name`) of a GGUF file.
    ///
    /// Throws ``TokenizerError/missingKey(_:)`` without `tokenizer.ggml.model` or
    /// `tokenizer.ggml.tokens` (or `tokenizer.ggml.merges` for byte-level BPE),
    /// ``TokenizerError/wrongType(key:expected:)`` for a key of the wrong type, and
    /// ``TokenizerError/unsupportedModel(_:)`` for a tokenizer other than `gpt2` and `llama`.
    public init(gguf file: GGUFFile) throws(TokenizerError) {
        let modelKey = "tokenizer.ggml.model"
        guard let modelValue = file.metadata[modelKey] else { throw .missingKey(modelKey) }
        guard let kind = modelValue.string else { throw .wrongType(key: modelKey, expected: "a string") }
        guard let model = Model(rawValue: kind) else { throw .unsupportedModel(kind) }

        func strings(_ key: String) throws(TokenizerError) -> [String]? {
            guard file.metadata[key] != nil else { return nil }
            guard let values = file.strings(key) else { throw .wrongType(key: key, expected: "an array of strings") }
            return values
        }
        func string(_ key: String) throws(TokenizerError) -> String? {
            guard let value = file.metadata[key] else { return nil }
            guard let string = value.string else { throw .wrongType(key: key, expected: "a string") }
            return string
        }
        func bool(_ key: String) throws(TokenizerError) -> Bool? {
            guard let value = file.metadata[key] else { return nil }
            guard let bool = value.bool else { throw .wrongType(key: key, expected: "a boolean") }
            return bool
        }
        func id(_ key: String) throws(TokenizerError) -> Int32? {
            guard let value = file.metadata[key] else { return nil }
            guard let int = value.int else { throw .wrongType(key: key, expected: "an integer") }
            // An id outside Int32 is as out of range as any other bad id: ignored later.
            return Int32(exactly: int) ?? -1
        }

        let tokensKey = "tokenizer.ggml.tokens"
        guard let tokens = try strings(tokensKey) else { throw .missingKey(tokensKey) }
        var merges: [String] = []
        if model == .bytePairEncoding {
            let mergesKey = "tokenizer.ggml.merges"
            guard let values = try strings(mergesKey) else { throw .missingKey(mergesKey) }
            merges = values
        }
        var scores: [Float]?
        let scoresKey = "tokenizer.ggml.scores"
        if file.metadata[scoresKey] != nil {
            guard let values = file.floats(scoresKey) else { throw .wrongType(key: scoresKey, expected: "an array of numbers") }
            scores = values
        }
        var types: [Int32]?
        let typesKey = "tokenizer.ggml.token_type"
        if file.metadata[typesKey] != nil {
            guard let values = file.ints(typesKey) else { throw .wrongType(key: typesKey, expected: "an array of integers") }
            types = values.map { Int32(clamping: $0) }
        }

        self.init(model: model, preTokenizer: try string("tokenizer.ggml.pre"), tokens: tokens, scores: scores,
                  tokenTypes: types, merges: merges)
        bosID = try id("tokenizer.ggml.bos_token_id")
        eosID = try id("tokenizer.ggml.eos_token_id")
        eotID = try id("tokenizer.ggml.eot_token_id")
        eomID = try id("tokenizer.ggml.eom_token_id")
        unknownID = try id("tokenizer.ggml.unknown_token_id")
        separatorID = try id("tokenizer.ggml.seperator_token_id")
        paddingID = try id("tokenizer.ggml.padding_token_id")
        maskID = try id("tokenizer.ggml.mask_token_id")
        fimPrefixID = try id("tokenizer.ggml.fim_pre_token_id")
        fimSuffixID = try id("tokenizer.ggml.fim_suf_token_id")
        fimMiddleID = try id("tokenizer.ggml.fim_mid_token_id")
        fimPadID = try id("tokenizer.ggml.fim_pad_token_id")
        fimRepoID = try id("tokenizer.ggml.fim_rep_token_id")
        fimSeparatorID = try id("tokenizer.ggml.fim_sep_token_id")
        // The older names, read after the new ones in llama.cpp, win when their id is valid.
        func valid(_ id: Int32?) -> Int32? { id.flatMap { $0 >= 0 && Int($0) < tokens.count ? $0 : nil } }
        if let older = valid(try id("tokenizer.ggml.prefix_token_id")) { fimPrefixID = older }
        if let older = valid(try id("tokenizer.ggml.suffix_token_id")) { fimSuffixID = older }
        if let older = valid(try id("tokenizer.ggml.middle_token_id")) { fimMiddleID = older }
        addBOS = try bool("tokenizer.ggml.add_bos_token")
        addEOS = try bool("tokenizer.ggml.add_eos_token")
        addSpacePrefix = try bool("tokenizer.ggml.add_space_prefix")
        modelName = try string("general.name")
    }
}

extension Tokenizer {
    /// The tokenizer of a GGUF model file, from its `tokenizer.*` metadata.
    public init(gguf file: GGUFFile) throws(TokenizerError) {
        try self.init(vocabulary: TokenizerVocabulary(gguf: file))
    }
}
