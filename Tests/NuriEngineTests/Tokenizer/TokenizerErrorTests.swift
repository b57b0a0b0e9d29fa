import Foundation
import NuriEngine
import Testing

/// Bad metadata gives a ``TokenizerError``, never a crash.
@Suite("Tokenizer errors")
struct TokenizerErrorTests {
    static func gguf(_ metadata: [(String, GGUFBuilder.Value)]) throws -> GGUFFile {
        var builder = GGUFBuilder()
        builder.metadata = [("general.architecture", .string("llama"))] + metadata
        let bytes = builder.build()
        let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        pointer.copyBytes(from: bytes)
        // Leaked on purpose: the file object reads from it for the rest of the test run.
        return try GGUFFile(bytes: UnsafeRawBufferPointer(pointer))
    }

    static let tokens: [String] = ["<unk>", "<s>", "</s>", "a", "b", "ab"]

    func error(_ metadata: [(String, GGUFBuilder.Value)]) -> TokenizerError? {
        do {
            _ = try Tokenizer(gguf: Self.gguf(metadata))
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("a minimal GGUF vocabulary loads")
    func loads() throws {
        let tokenizer = try Tokenizer(gguf: Self.gguf([
            ("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("gpt-2")),
            ("tokenizer.ggml.tokens", .strings(Self.tokens)), ("tokenizer.ggml.merges", .strings(["a b"])),
            ("tokenizer.ggml.token_type", .int32s([3, 3, 3, 1, 1, 1])), ("tokenizer.ggml.eos_token_id", .uint32(2)),
        ]))
        #expect(tokenizer.count == 6)
        #expect(tokenizer.eosID == 2)
        #expect(tokenizer.encode("ab", addSpecial: false) == [5])
    }

    @Test("missing keys")
    func missing() {
        #expect(error([]) == .missingKey("tokenizer.ggml.model"))
        #expect(error([("tokenizer.ggml.model", .string("gpt2"))]) == .missingKey("tokenizer.ggml.tokens"))
        #expect(error([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(Self.tokens))])
            == .missingKey("tokenizer.ggml.merges"))
    }

    @Test("wrong types")
    func wrongTypes() {
        #expect(error([("tokenizer.ggml.model", .uint32(1))]) == .wrongType(key: "tokenizer.ggml.model", expected: "a string"))
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .int32s([1, 2]))])
            == .wrongType(key: "tokenizer.ggml.tokens", expected: "an array of strings"))
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
                       ("tokenizer.ggml.bos_token_id", .string("one"))])
            == .wrongType(key: "tokenizer.ggml.bos_token_id", expected: "an integer"))
    }

    @Test("arrays shorter than the token list")
    func lengths() {
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
                       ("tokenizer.ggml.scores", .floats([0, 0]))])
            == .lengthMismatch(key: "tokenizer.ggml.scores", expected: 6, found: 2))
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
                       ("tokenizer.ggml.token_type", .int32s([1]))])
            == .lengthMismatch(key: "tokenizer.ggml.token_type", expected: 6, found: 1))
    }

    @Test("merges that do not parse")
    func merges() {
        #expect(error([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
                       ("tokenizer.ggml.merges", .strings(["a b", "ab"]))])
            == .malformedMerge(index: 1, text: "ab"))
        #expect(error([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
                       ("tokenizer.ggml.merges", .strings([" a"]))])
            == .malformedMerge(index: 0, text: " a"))
    }

    @Test("unsupported models and pre-tokenizers, bad vocabularies")
    func unsupported() {
        #expect(error([("tokenizer.ggml.model", .string("bert")), ("tokenizer.ggml.tokens", .strings(Self.tokens))]) == .unsupportedModel("bert"))
        #expect(error([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("gpt2")),
                       ("tokenizer.ggml.tokens", .strings(Self.tokens)), ("tokenizer.ggml.merges", .strings([]))])
            == .unsupportedPreTokenizer("gpt2"))
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings([]))]) == .emptyVocabulary)
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(["a", "b", "a"]))])
            == .duplicateToken(id: 2, text: "a"))
        // SentencePiece adds BOS by default; its default id 1 is out of range here.
        #expect(error([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(["a"]))])
            == .missingSpecialToken("BOS"))
    }

    @Test("out-of-range ids decode to nothing and special ids out of range are ignored")
    func outOfRange() throws {
        let tokenizer = try Tokenizer(gguf: Self.gguf([
            ("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", .strings(Self.tokens)),
            ("tokenizer.ggml.eos_token_id", .uint32(999)),
        ]))
        #expect(tokenizer.eosID == 2)  // the default, as llama.cpp keeps it
        #expect(tokenizer.decode([-5, 1_000_000, 3]) == "a")
        #expect(tokenizer.piece(-1).isEmpty)
        #expect(tokenizer.tokenText(99) == nil)
    }
}
