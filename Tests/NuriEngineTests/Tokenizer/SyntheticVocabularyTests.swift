import Foundation
import NuriEngine
import Testing

/// Small vocabularies made in the test, so the algorithms are checked without model files.
@Suite("Synthetic vocabularies")
struct SyntheticVocabularyTests {
    /// Byte-level BPE: the 256 byte characters, a few merges, and two control tokens.
    static func byteLevel(pre: String = "smollm") throws -> Tokenizer {
        var tokens = ["<|endoftext|>", "<|im_end|>"]
        var types: [Int32] = [3, 3]
        var seen = Set(tokens)
        for byte in 0..<256 {
            var scalars = String.UnicodeScalarView()
            scalars.append(Unicode.Scalar(byteCharacter(UInt8(byte))) ?? "?")
            let text = String(scalars)
            if seen.insert(text).inserted { tokens.append(text); types.append(1) }
        }
        let merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "Ġw o", "r l", "Ġwo rl", "Ġworl d"]
        for merge in merges {
            let merged = merge.replacingOccurrences(of: " ", with: "")
            tokens.append(merged)
            types.append(1)
        }
        var vocabulary = TokenizerVocabulary(model: .bytePairEncoding, preTokenizer: pre, tokens: tokens, tokenTypes: types, merges: merges)
        vocabulary.eosID = 0
        vocabulary.bosID = 0
        vocabulary.addBOS = false
        return try Tokenizer(vocabulary: vocabulary)
    }

    /// GPT-2's character for a byte (the tests' own copy of the mapping).
    static func byteCharacter(_ byte: UInt8) -> UInt32 {
        let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
        if printable { return UInt32(byte) }
        var index: UInt32 = 0
        for other in 0..<byte {
            let otherPrintable = (0x21...0x7E).contains(other) || (0xA1...0xAC).contains(other) || (0xAE...0xFF).contains(other)
            if !otherPrintable { index += 1 }
        }
        return 256 + index
    }

    @Test("byte-level BPE merges by rank and round-trips any text")
    func byteLevelBPE() throws {
        let tokenizer = try Self.byteLevel()
        let ids = tokenizer.encode("hello world", addSpecial: false)
        #expect(ids.map { tokenizer.tokenText($0) ?? "?" } == ["hello", "Ġworld"])
        for text in ["hello world", "대한민국 👋🏽", "tabs\tand\nnewlines  ", "12345", ""] {
            #expect(tokenizer.decode(tokenizer.encode(text, addSpecial: false)) == text)
        }
    }

    @Test("special tokens only with parseSpecial")
    func specialTokens() throws {
        let tokenizer = try Self.byteLevel()
        let text = "hello<|im_end|>"
        let parsed = tokenizer.encode(text, addSpecial: false, parseSpecial: true)
        #expect(parsed.last == 1)
        #expect(parsed.count == 2)
        let plain = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
        #expect(!plain.contains(1))
        #expect(tokenizer.decode(plain) == text)
        #expect(tokenizer.decode(parsed) == "hello")
        #expect(tokenizer.decode(parsed, renderSpecial: true) == text)
        #expect(tokenizer.isEndOfGeneration(1))  // <|im_end|>
        #expect(tokenizer.isEndOfGeneration(0))  // <|endoftext|>, also EOS
        #expect(!tokenizer.isEndOfGeneration(5))
    }

    /// SentencePiece: byte fallback tokens, a few pieces with scores.
    static func sentencePiece(addSpacePrefix: Bool = false) throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>", "<start_of_turn>"]
        var types: [Int32] = [2, 3, 3, 3]
        var scores: [Float] = [0, 0, 0, 0]
        for byte in 0..<256 {
            tokens.append(String(format: "<0x%02X>", byte))
            types.append(6)
            scores.append(0)
        }
        let pieces: [(String, Float)] = [("▁", -1), ("h", -2), ("e", -2), ("l", -2), ("o", -2), ("he", -3), ("ll", -3), ("hell", -4),
                                        ("hello", -5), ("▁hello", -6), ("w", -2), ("r", -2), ("d", -2), ("▁w", -3), ("or", -3), ("ld", -3)]
        for (text, score) in pieces {
            tokens.append(text)
            types.append(1)
            scores.append(score)
        }
        var vocabulary = TokenizerVocabulary(model: .sentencePiece, tokens: tokens, scores: scores, tokenTypes: types)
        vocabulary.addSpacePrefix = addSpacePrefix
        return try Tokenizer(vocabulary: vocabulary)
    }

    @Test("SentencePiece merges by score, falls back to bytes, adds BOS")
    func sentencePiece() throws {
        let tokenizer = try Self.sentencePiece()
        #expect(tokenizer.bosID == 1 && tokenizer.eosID == 2 && tokenizer.unknownID == 0)
        let ids = tokenizer.encode("hello world")
        #expect(ids.first == 1)
        #expect(ids.dropFirst().map { tokenizer.tokenText($0) ?? "?" } == ["hello", "▁w", "or", "ld"])
        let korean = tokenizer.encode("가", addSpecial: false)
        #expect(korean.map { tokenizer.tokenText($0) ?? "?" } == ["<0xEA>", "<0xB0>", "<0x80>"])
        for text in ["hello world", "대한민국 👋🏽", "  two  spaces ", "x<start_of_turn>y"] {
            #expect(tokenizer.decode(tokenizer.encode(text, addSpecial: false)) == text)
        }
        let turn = tokenizer.encode("<start_of_turn>hello", addSpecial: false, parseSpecial: true)
        #expect(turn.first == 3)
    }

    @Test("SentencePiece space prefix: added to text, dropped when decoding")
    func spacePrefix() throws {
        let tokenizer = try Self.sentencePiece(addSpacePrefix: true)
        let ids = tokenizer.encode("hello", addSpecial: false)
        #expect(ids.map { tokenizer.tokenText($0) ?? "?" } == ["▁hello"])
        #expect(tokenizer.decode(ids) == "hello")
    }

    @Test("space cleaning of GPT-2-style vocabularies, streamed or not")
    func cleanSpaces() throws {
        let tokenizer = try Self.byteLevel(pre: "gpt-2")
        let text = "Hello , world ! I 'm here , it 's ' quoted ' ."
        let ids = tokenizer.encode(text, addSpecial: false)
        let decoded = tokenizer.decode(ids)
        #expect(decoded == "Hello, world! I'm here, it's'quoted '.")
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var streamed = ""
        for id in ids { streamed += decoder.append(id) }
        streamed += decoder.finish()
        #expect(streamed == decoded)
    }
}
