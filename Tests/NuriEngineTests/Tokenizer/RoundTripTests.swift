import Foundation
import NuriEngine
import Testing

/// Encoding then decoding gives the text back (for vocabularies that do not tidy spaces), and
/// streaming decoding equals decoding at once.
@Suite("Round trips and streaming")
struct RoundTripTests {
    static let korean = [
        "대한민국의 수도는 서울입니다.",
        "안녕하세요! 오늘 날씨가 정말 좋네요. 산책하러 갈까요?",
        "한글은 1443년 세종대왕이 창제했습니다.\n\n훈민정음 해례본",
        "ㄱㄴㄷㄹ ㅏㅑㅓㅕ 똠방각하 뷁 햏",
        "서울 Seoul, 부산 Busan — 123km",
    ]

    static func tokenizers() throws -> [(String, Tokenizer)] {
        var result: [(String, Tokenizer)] = []
        if TokenizerModels.haveSmolLM2 { result.append(("SmolLM2", try TokenizerModels.smolLM2())) }
        if TokenizerModels.haveGemma3 { result.append(("Gemma 3", try TokenizerModels.gemma3())) }
        return result
    }

    @Test("Korean round-trips exactly", .enabled(if: TokenizerModels.haveSmolLM2 || TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func korean() throws {
        for (name, tokenizer) in try Self.tokenizers() {
            for text in Self.korean {
                let ids = tokenizer.encode(text, addSpecial: false)
                #expect(tokenizer.decode(ids) == text, "\(name)")
                // With BOS added, removing special tokens gives the text back too.
                #expect(tokenizer.decode(tokenizer.encode(text), removeSpecial: true) == text, "\(name)")
            }
        }
    }

    @Test("random Unicode round-trips exactly", .enabled(if: TokenizerModels.haveSmolLM2 || TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func randomUnicode() throws {
        var generator = SeededGenerator(seed: 42)
        for (name, tokenizer) in try Self.tokenizers() {
            for _ in 0..<300 {
                let text = randomText(&generator)
                let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
                #expect(tokenizer.decode(ids) == text, "\(name): \(text.debugDescription) → \(ids)")
            }
        }
    }

    @Test("streaming decode equals whole decode", .enabled(if: TokenizerModels.haveSmolLM2 || TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)))
    func streaming() throws {
        var generator = SeededGenerator(seed: 7)
        var checked = 0
        for (name, tokenizer) in try Self.tokenizers() {
            var sequences = Self.korean.map { tokenizer.encode($0) }
            for _ in 0..<200 { sequences.append(tokenizer.encode(randomText(&generator), parseSpecial: true)) }
            // Random ids too: they cut characters anywhere and mix in special tokens.
            for _ in 0..<200 {
                sequences.append((0..<Int.random(in: 1...16, using: &generator)).map { _ in
                    Int32.random(in: 0..<Int32(min(tokenizer.count, 70000)), using: &generator)
                })
            }
            for ids in sequences {
                for renderSpecial in [false, true] {
                    var decoder = StreamingDecoder(tokenizer: tokenizer, renderSpecial: renderSpecial)
                    var streamed = ""
                    for id in ids { streamed += decoder.append(id) }
                    streamed += decoder.finish()
                    #expect(streamed == tokenizer.decode(ids, renderSpecial: renderSpecial), "\(name) \(ids)")
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    @Test("a Korean syllable split across byte tokens is held back until complete", .enabled(if: TokenizerModels.haveSmolLM2, Comment(rawValue: TokenizerModels.skipMessage)))
    func holdsIncompleteCharacters() throws {
        let tokenizer = try TokenizerModels.smolLM2()
        // "대" is three bytes; SmolLM2 spells it with single-byte tokens.
        let ids = tokenizer.encode("대", addSpecial: false)
        #expect(ids.count > 1)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var outputs: [String] = []
        for id in ids { outputs.append(decoder.append(id)) }
        #expect(outputs.dropLast().allSatisfy { $0.isEmpty })
        #expect(outputs.last == "대")
        #expect(decoder.finish() == "")
        // A stream cut inside a character ends with U+FFFD, as decoding does.
        var cut = StreamingDecoder(tokenizer: tokenizer)
        _ = cut.append(ids[0])
        #expect(cut.finish() == "\u{FFFD}")
        #expect(tokenizer.decode([ids[0]]) == "\u{FFFD}")
    }
}
