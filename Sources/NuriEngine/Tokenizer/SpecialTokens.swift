/// What llama.cpp records about each token besides its text.
struct TokenAttributes: OptionSet, Sendable, Hashable {
    let rawValue: UInt16
    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)
    static let normalized = TokenAttributes(rawValue: 1 << 6)
    /// Whitespace before the token is dropped when it is split out of text.
    static let leftStrip = TokenAttributes(rawValue: 1 << 7)
    /// Whitespace after the token is dropped when it is split out of text.
    static let rightStrip = TokenAttributes(rawValue: 1 << 8)
    static let singleWord = TokenAttributes(rawValue: 1 << 9)

    /// The attribute of a GGUF token type (`tokenizer.ggml.token_type`); unknown types are
    /// undefined (no attribute), as in llama.cpp.
    init(tokenType: Int32) {
        switch tokenType {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = []
        }
    }

    init(rawValue: UInt16) { self.rawValue = rawValue }
}

/// The special token ids of a vocabulary, every token's attributes, and which tokens end
/// generation, derived from the metadata and the token texts in llama.cpp's order.
///
/// llama.cpp recognises many special tokens by their text (end of turn, fill-in-the-middle) and
/// adjusts attributes accordingly; those adjustments change which tokens the text splitter
/// treats as control tokens, so they are reproduced here step by step.
struct SpecialTokens: Sendable {
    var attributes: [TokenAttributes]
    var bos: Int32?
    var eos: Int32?
    var eot: Int32?
    var eom: Int32?
    var unknown: Int32?
    var separator: Int32?
    var padding: Int32?
    var mask: Int32?
    var fimPrefix: Int32?
    var fimSuffix: Int32?
    var fimMiddle: Int32?
    var fimPad: Int32?
    var fimRepo: Int32?
    var fimSeparator: Int32?
    /// Tokens after which generation stops.
    var endOfGeneration: Set<Int32> = []

    // Texts llama.cpp b11312 recognises (llama_vocab::impl::load).
    private static let endOfTurnTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                                         "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"]
    private static let endOfMessageTexts = ["<|eom_id|>"]
    private static let fimPrefixTexts = ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"]
    private static let fimSuffixTexts = ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"]
    private static let fimMiddleTexts = ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"]
    private static let fimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    private static let fimRepoTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    private static let fimSeparatorTexts = ["<|file_sep|>"]
    private static let endOfGenerationTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
                                               "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
                                               "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                                               "<｜end▁of▁sentence｜>", "[e~["]
    /// gpt-oss's message framing tokens, which llama.cpp always renders as text.
    private static let alwaysRenderedTexts = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    init(vocabulary: TokenizerVocabulary, index: TokenIndex) {
        let count = vocabulary.tokens.count
        if let types = vocabulary.tokenTypes {
            attributes = types.prefix(count).map(TokenAttributes.init(tokenType:))
        } else {
            attributes = Array(repeating: .normal, count: count)
        }
        func id(of text: String) -> Int32? {
            let found = index.find(Array(text.utf8))
            return found >= 0 ? found : nil
        }
        // A metadata id replaces the model's default when it is in range; a default out of
        // range means none.
        func resolve(_ defaultID: Int32?, _ metadata: Int32?) -> Int32? {
            var result = defaultID.flatMap { $0 >= 0 && Int($0) < count ? $0 : nil }
            if let metadata, metadata >= 0, Int(metadata) < count { result = metadata }
            return result
        }
        let sentencePiece = vocabulary.model == .sentencePiece
        bos = resolve(sentencePiece ? 1 : 11, vocabulary.bosID)
        eos = resolve(sentencePiece ? 2 : 11, vocabulary.eosID)
        eot = resolve(nil, vocabulary.eotID)
        eom = resolve(nil, vocabulary.eomID)
        unknown = resolve(sentencePiece ? 0 : nil, vocabulary.unknownID)
        separator = resolve(nil, vocabulary.separatorID)
        padding = resolve(nil, vocabulary.paddingID)
        mask = resolve(nil, vocabulary.maskID)
        fimPrefix = resolve(nil, vocabulary.fimPrefixID)
        fimSuffix = resolve(nil, vocabulary.fimSuffixID)
        fimMiddle = resolve(nil, vocabulary.fimMiddleID)
        fimPad = resolve(nil, vocabulary.fimPadID)
        fimRepo = resolve(nil, vocabulary.fimRepoID)
        fimSeparator = resolve(nil, vocabulary.fimSeparatorID)

        // Special tokens the metadata did not name are found by their text and made control
        // tokens. llama.cpp takes the first candidate its hash map yields; with several
        // candidates present this takes the lowest id.
        func detect(_ current: inout Int32?, _ texts: [String]) {
            guard current == nil, let found = texts.compactMap(id(of:)).min() else { return }
            current = found
            attributes[Int(found)].insert(.control)
        }
        detect(&eot, Self.endOfTurnTexts)
        detect(&eom, Self.endOfMessageTexts)
        detect(&fimPrefix, Self.fimPrefixTexts)
        detect(&fimSuffix, Self.fimSuffixTexts)
        detect(&fimMiddle, Self.fimMiddleTexts)
        detect(&fimPad, Self.fimPadTexts)
        detect(&fimRepo, Self.fimRepoTexts)
        detect(&fimSeparator, Self.fimSeparatorTexts)

        // Control tokens named "unused…" are unused.
        for (token, text) in vocabulary.tokens.enumerated() where attributes[token].contains(.control) && text.contains("unused") {
            attributes[token].insert(.unused)
        }

        // End of generation: the fill-in-the-middle padding, repository and file separators,
        // every token with an end-like text, then EOS, EOT and EOM.
        for id in [fimPad, fimRepo, fimSeparator].compactMap({ $0 }) { endOfGeneration.insert(id) }
        for text in Self.endOfGenerationTexts {
            guard let found = id(of: text) else { continue }
            endOfGeneration.insert(found)
            attributes[Int(found)].insert(.control)
        }
        for text in Self.alwaysRenderedTexts {
            if let found = id(of: text) { attributes[Int(found)] = .userDefined }
        }
        for id in [eos, eot, eom].compactMap({ $0 }) { endOfGeneration.insert(id) }

        // gpt-oss and Solar Open end a message with <|end|> but keep generating after it.
        func inEndOfGeneration(_ text: String) -> Int32? {
            guard let found = id(of: text), endOfGeneration.contains(found) else { return nil }
            return found
        }
        let hasReturn = inEndOfGeneration("<|return|>") != nil
        let hasCall = inEndOfGeneration("<|call|>") != nil || inEndOfGeneration("<|calls|>") != nil
        let hasFlush = inEndOfGeneration("<|flush|>") != nil
        if let end = inEndOfGeneration("<|end|>"), (hasReturn && hasCall) || (hasCall && hasFlush) {
            endOfGeneration.remove(end)
            attributes[Int(end)] = .userDefined
        }
        // Gemma 4 and PLaMo have an ordinary </s>.
        if inEndOfGeneration("<|tool_response>") != nil || inEndOfGeneration("<|plamo:eos|>") != nil,
           let closing = inEndOfGeneration("</s>") {
            endOfGeneration.remove(closing)
            attributes[Int(closing)] = .normal
        }

        // Phi-3 strips whitespace after its special tokens (llama.cpp keys this on the name).
        let name = (vocabulary.modelName ?? "").lowercased()
        if name.contains("phi-3") || name.contains("phi3") {
            for token in attributes.indices where !attributes[token].isDisjoint(with: [.control, .userDefined, .unknown]) {
                attributes[token].insert(.rightStrip)
            }
            if let found = id(of: "</s>") { attributes[Int(found)].insert(.rightStrip) }
            for text in ["<unk>", "<s>", "<|endoftext|>"] {
                if let found = id(of: text) { attributes[Int(found)].remove(.rightStrip) }
            }
        }
    }
}
