import Foundation
import NuriEngine
import Testing

/// How long tokenizing a page of text takes (printed, not asserted: timings vary by machine).
@Suite("Tokenizer speed")
struct TokenizerSpeedTests {
    @Test("tokenize ppl.txt", .enabled(if: TokenizerModels.haveSmolLM2 || TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func speed() throws {
        let text = try String(decoding: Fixture.data("tokenizer/ppl.txt"), as: UTF8.self)
        for (name, tokenizer) in try RoundTripTests.tokenizers() {
            var ids: [Int32] = []
            let clock = ContinuousClock()
            _ = tokenizer.encode(text)  // warm up (first use builds the code point table)
            let rounds = 20
            let elapsed = clock.measure {
                for _ in 0..<rounds { ids = tokenizer.encode(text) }
            }
            let decodeElapsed = clock.measure {
                for _ in 0..<rounds { _ = tokenizer.decode(ids) }
            }
            let perEncode = elapsed / rounds, perDecode = decodeElapsed / rounds
            print("tokenizer speed: \(name): \(ids.count) tokens from \(text.utf8.count) bytes, encode \(perEncode), decode \(perDecode)")
            #expect(!ids.isEmpty)
        }
    }

    @Test("load a tokenizer from a GGUF file", .enabled(if: TokenizerModels.haveSmolLM2 && TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func loading() throws {
        let clock = ContinuousClock()
        for file in [TokenizerModels.smolLM2File, TokenizerModels.gemma3File] {
            let path = try #require(TokenizerModels.path(file))
            var vocabulary: TokenizerVocabulary?
            let reading = try clock.measure { vocabulary = try TokenizerVocabulary(gguf: GGUFFile(path: path)) }
            var tokenizer: Tokenizer?
            let building = try clock.measure { tokenizer = try Tokenizer(vocabulary: #require(vocabulary)) }
            print("tokenizer speed: \(file): read metadata \(reading), build \(building), \(tokenizer?.count ?? 0) tokens")
        }
    }
}
