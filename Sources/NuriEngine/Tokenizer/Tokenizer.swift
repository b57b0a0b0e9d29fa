/// Text to token ids and back, exactly as llama.cpp (b11312) does for the same vocabulary.
///
/// Two tokenizer models are implemented: byte-level BPE (`gpt2`, with the pre-tokenizers listed
/// in ``PreTokenizer``) and SentencePiece-style BPE (`llama`). Build one from a GGUF file with
/// ``init(gguf:)`` or from plain values with ``init(vocabulary:)``.
///
/// ```swift
/// let tokenizer = try Tokenizer(gguf: GGUFFile(path: "model.gguf"))
/// let ids = tokenizer.encode("<|im_start|>user\n안녕하세요", parseSpecial: true)
/// let text = tokenizer.decode(ids)
/// ```
public struct Tokenizer: Sendable {
    /// The number of tokens in the vocabulary.
    public let count: Int
    /// The beginning-of-sequence token, if the vocabulary has one.
    public var bosID: Int32? { specials.bos }
    /// The end-of-sequence token, if the vocabulary has one.
    public var eosID: Int32? { specials.eos }
    /// The unknown token, if the vocabulary has one.
    public var unknownID: Int32? { specials.unknown }
    /// The padding token, if the vocabulary has one.
    public var paddingID: Int32? { specials.padding }
    /// Whether ``encode(_:addSpecial:parseSpecial:)`` prepends the BOS token when asked to add
    /// special tokens (`tokenizer.ggml.add_bos_token`, or the model's default).
    public let addsBOS: Bool
    /// Whether it appends the EOS token (`tokenizer.ggml.add_eos_token`, or the default).
    public let addsEOS: Bool
    /// Whether SentencePiece text gets a leading space (`tokenizer.ggml.add_space_prefix`); if
    /// so, decoding drops the first token's leading space.
    public let addsSpacePrefix: Bool
    /// The tokens after which generation stops: EOS, end of turn (`<|im_end|>`,
    /// `<end_of_turn>`, `<|eot_id|>`…) and the others llama.cpp marks.
    public var endOfGenerationIDs: Set<Int32> { specials.endOfGeneration }

    let specials: SpecialTokens
    let index: TokenIndex
    let partitioner: SpecialTokenPartitioner
    let engine: Engine
    /// Decoding tidies spaces (see ``SpaceCleaner``).
    let cleanSpaces: Bool
    /// Every token's bytes as llama.cpp renders it with special tokens shown:
    /// token `i` is `pieceBytes[pieceStarts[i]..<pieceStarts[i + 1]]`.
    let pieceBytes: [UInt8]
    let pieceStarts: [Int]

    enum Engine: Sendable {
        case bytePairEncoding(ByteLevelBPE, PreTokenizer)
        case sentencePiece(SentencePiece)
    }

    /// Builds a tokenizer; throws ``TokenizerError`` if the vocabulary is inconsistent.
    public init(vocabulary source: TokenizerVocabulary) throws(TokenizerError) {
        var vocabulary = source
        let count = vocabulary.tokens.count
        guard count > 0 else { throw .emptyVocabulary }
        guard count < Int(Int32.max) else { throw .lengthMismatch(key: "tokenizer.ggml.tokens", expected: Int(Int32.max) - 1, found: count) }
        if let scores = vocabulary.scores, scores.count < count {
            throw .lengthMismatch(key: "tokenizer.ggml.scores", expected: count, found: scores.count)
        }
        if let types = vocabulary.tokenTypes, types.count < count {
            throw .lengthMismatch(key: "tokenizer.ggml.token_type", expected: count, found: types.count)
        }
        // llama.cpp names empty tokens so that every token has a distinct, non-empty text.
        for id in vocabulary.tokens.indices where vocabulary.tokens[id].isEmpty {
            vocabulary.tokens[id] = "[EMPTY_\(id)]"
        }
        let texts = vocabulary.tokens.map { Array($0.utf8) }
        var index = TokenIndex(capacity: count)
        for (id, text) in texts.enumerated() {
            guard index.intern(text).inserted else { throw .duplicateToken(id: id, text: vocabulary.tokens[id]) }
        }
        self.count = count
        self.index = index
        let specials = SpecialTokens(vocabulary: vocabulary, index: index)
        self.specials = specials
        partitioner = SpecialTokenPartitioner(texts: texts, attributes: specials.attributes)

        var addsBOS: Bool, addsSpacePrefix: Bool
        switch vocabulary.model {
        case .bytePairEncoding:
            guard let settings = PreTokenizer.settings(forName: vocabulary.preTokenizer) else {
                throw .unsupportedPreTokenizer(vocabulary.preTokenizer ?? "")
            }
            engine = .bytePairEncoding(
                try ByteLevelBPE(vocabulary: index, merges: vocabulary.merges, ignoreMerges: settings.ignoreMerges),
                settings.kind)
            cleanSpaces = settings.cleanSpaces
            addsBOS = settings.addsBOS
            addsSpacePrefix = false
        case .sentencePiece:
            let scores = vocabulary.scores ?? Array(repeating: 0, count: count)
            engine = .sentencePiece(SentencePiece(vocabulary: index, scores: scores, unknownID: specials.unknown))
            cleanSpaces = false
            addsBOS = true
            addsSpacePrefix = true
        }
        self.addsBOS = vocabulary.addBOS ?? addsBOS
        self.addsEOS = vocabulary.addEOS ?? false
        self.addsSpacePrefix = vocabulary.addSpacePrefix ?? addsSpacePrefix
        if self.addsBOS && specials.bos == nil { throw .missingSpecialToken("BOS") }
        if self.addsEOS && specials.eos == nil { throw .missingSpecialToken("EOS") }

        // Render every piece once, as llama.cpp caches them.
        var pieceBytes: [UInt8] = []
        var pieceStarts: [Int] = [0]
        pieceStarts.reserveCapacity(count + 1)
        let sentencePiece = vocabulary.model == .sentencePiece
        for id in 0..<count {
            let attributes = specials.attributes[id]
            let text = texts[id]
            if !attributes.isDisjoint(with: [.unknown, .control, .userDefined]) {
                pieceBytes.append(contentsOf: text)
            } else if attributes.contains(.normal) {
                if sentencePiece {
                    Self.appendUnescapingSpaces(text, to: &pieceBytes)
                } else {
                    pieceBytes.append(contentsOf: ByteLevelEncoding.decode(vocabulary.tokens[id]))
                }
            } else if attributes.contains(.byte) {
                // `<0xXX>`: the two characters after "<0x", read as hex (strtol-style).
                if text.count >= 3 {
                    var value: UInt8 = 0
                    for byte in text.dropFirst(3).prefix(2) {
                        guard let digit = Self.hexValue(byte) else { break }
                        value = value &* 16 &+ digit
                    }
                    pieceBytes.append(value)
                }
            }
            pieceStarts.append(pieceBytes.count)
        }
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts
    }

    /// The token ids of `text`.
    ///
    /// - Parameters:
    ///   - addSpecial: add BOS / EOS as the vocabulary asks (``addsBOS``, ``addsEOS``).
    ///   - parseSpecial: let the text spell control tokens, so `<|im_start|>` becomes its single
    ///     id; otherwise such text is tokenized as plain text. User-defined tokens are always
    ///     recognised, as in llama.cpp.
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = false) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 2)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { buffer in
            let fragments = partitioner.partition(buffer, parseSpecial: parseSpecial)
            if addSpecial && addsBOS, let bos = specials.bos { output.append(bos) }
            switch engine {
            case .sentencePiece(let model):
                var scratch = SentencePiece.Scratch()
                // The space prefix goes on text at the start or right after a special token.
                var afterSpecial = true
                for fragment in fragments {
                    switch fragment {
                    case .text(let range):
                        model.encode(UnsafeBufferPointer(rebasing: buffer[range]), spacePrefix: addsSpacePrefix && afterSpecial,
                                     into: &output, scratch: &scratch)
                        afterSpecial = false
                    case .token(let id):
                        output.append(id)
                        afterSpecial = true
                    }
                }
            case .bytePairEncoding(let model, let preTokenizer):
                var scratch = ByteLevelBPE.Scratch()
                var codepoints: [UInt32] = []
                var ends: [Int] = [], splitScratch: [Int] = []
                for fragment in fragments {
                    switch fragment {
                    case .text(let range):
                        codepoints.removeAll(keepingCapacity: true)
                        CodepointDecoding.decode(UnsafeBufferPointer(rebasing: buffer[range]), into: &codepoints)
                        codepoints.withUnsafeBufferPointer { text in
                            preTokenizer.split(text, into: &ends, scratch: &splitScratch)
                            var start = 0
                            for end in ends {
                                model.encode(word: UnsafeBufferPointer(rebasing: text[start..<end]), into: &output, scratch: &scratch)
                                start = end
                            }
                        }
                    case .token(let id):
                        output.append(id)
                    }
                }
            }
            if addSpecial && addsEOS, let eos = specials.eos { output.append(eos) }
        }
        return output
    }

    /// The text of `ids`, as llama.cpp's `llama_detokenize` makes it.
    ///
    /// - Parameters:
    ///   - removeSpecial: drop a leading BOS and a trailing EOS that ``encode(_:addSpecial:parseSpecial:)``
    ///     would have added.
    ///   - renderSpecial: show control tokens as their text (`<|im_end|>`); otherwise they
    ///     produce nothing. User-defined tokens always show.
    ///
    /// Invalid UTF-8 (a token sequence cut inside a character) becomes U+FFFD; ids outside the
    /// vocabulary produce nothing.
    public func decode(_ ids: [Int32], removeSpecial: Bool = false, renderSpecial: Bool = false) -> String {
        var ids = ids[...]
        var leadingSpaceRule = addsSpacePrefix
        if removeSpecial && addsBOS, let first = ids.first, first == specials.bos {
            ids = ids.dropFirst()
            leadingSpaceRule = false
        }
        if removeSpecial && addsEOS, let last = ids.last, last == specials.eos {
            ids = ids.dropLast()
        }
        var decoder = StreamingDecoder(tokenizer: self, renderSpecial: renderSpecial, stripsLeadingSpace: leadingSpaceRule)
        var bytes: [UInt8] = []
        for id in ids { decoder.appendBytes(of: id, into: &bytes) }
        decoder.finishBytes(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes token `id` stands for (empty for an id outside the vocabulary).
    /// - Parameter renderSpecial: show control and unknown tokens as their text; otherwise
    ///   they are empty, as in decoding.
    public func piece(_ id: Int32, renderSpecial: Bool = true) -> [UInt8] {
        Array(pieceSlice(id, renderSpecial: renderSpecial))
    }

    func pieceSlice(_ id: Int32, renderSpecial: Bool) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < count else { return [] }
        if !renderSpecial && !specials.attributes[Int(id)].isDisjoint(with: [.unknown, .control]) { return [] }
        return pieceBytes[pieceStarts[Int(id)]..<pieceStarts[Int(id) + 1]]
    }

    /// Whether generation should stop after `id` (EOS, end of turn…), as llama.cpp's
    /// `llama_vocab_is_eog` says.
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        specials.endOfGeneration.contains(id)
    }

    /// Whether `id` is a control token (such as `<|im_start|>` or `<bos>`).
    public func isControl(_ id: Int32) -> Bool {
        id >= 0 && Int(id) < count && specials.attributes[Int(id)].contains(.control)
    }

    /// The vocabulary's text for token `id` (as stored: `Ġ` for a space in byte-level BPE,
    /// `▁` in SentencePiece), or `nil` outside the vocabulary.
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < count else { return nil }
        return String(decoding: index.key(Int(id)), as: UTF8.self)
    }

    /// The id of the token whose vocabulary text is exactly `text`, if any.
    public func tokenID(forText text: String) -> Int32? {
        let id = index.find(Array(text.utf8))
        return id >= 0 ? id : nil
    }

    private static func appendUnescapingSpaces(_ text: [UInt8], to output: inout [UInt8]) {
        var offset = 0
        while offset < text.count {
            if offset + 2 < text.count && text[offset] == 0xE2 && text[offset + 1] == 0x96 && text[offset + 2] == 0x81 {
                output.append(0x20)
                offset += 3
            } else {
                output.append(text[offset])
                offset += 1
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
