import Foundation
@testable import NuriEngine
import Testing

/// Every case of Fixtures/tokenizer/cases.json against what llama.cpp b11312 itself produced
/// (generate/generate.py runs llama.cpp's tokenizer through tokref.cpp): encoding with and
/// without special tokens, decoding, random id sequences, the vocabulary's special tokens,
/// attributes and rendered pieces, and a long text.
@Suite("llama.cpp b11312 cases")
struct LlamaCppCaseTests {
    static let smolLM2Fixtures = ExpectedFixture.names.filter { $0.hasPrefix("SmolLM2") }
    static let gemma3Fixtures = ExpectedFixture.names.filter { $0.hasPrefix("gemma") }

    @Test("SmolLM2 vocabulary, with each pre-tokenizer", .enabled(if: TokenizerModels.haveSmolLM2, Comment(rawValue: TokenizerModels.skipMessage)),
          arguments: smolLM2Fixtures)
    func smolLM2(_ name: String) throws {
        try check(name)
    }

    @Test("Gemma 3 vocabulary", .enabled(if: TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)),
          arguments: gemma3Fixtures)
    func gemma3(_ name: String) throws {
        try check(name)
    }

    func check(_ name: String) throws {
        let fixture = try ExpectedFixture.load(name)
        let tokenizer = try TokenizerModels.tokenizer(for: fixture)
        var failures = 0
        for item in fixture.cases {
            let text = item.text
            let results = [
                (tokenizer.encode(text, addSpecial: true, parseSpecial: true), item.add_parse, "add, parse"),
                (tokenizer.encode(text, addSpecial: true, parseSpecial: false), item.add_noparse, "add"),
                (tokenizer.encode(text, addSpecial: false, parseSpecial: true), item.noadd_parse, "parse"),
                (tokenizer.encode(text, addSpecial: false, parseSpecial: false), item.noadd_noparse, "plain"),
            ]
            for (got, expected, flags) in results where got != expected {
                failures += 1
                Issue.record("\(name) [\(flags)] \(text.debugDescription): got \(got), llama.cpp \(expected)")
            }
            let decodes = [
                (tokenizer.decode(item.noadd_noparse), item.decoded_hex, "plain"),
                (tokenizer.decode(item.add_parse, renderSpecial: true), item.decoded_add_parse_special_hex, "render special"),
                (tokenizer.decode(item.add_parse, removeSpecial: true), item.decoded_add_parse_removed_hex, "remove special"),
            ]
            for (got, hex, flags) in decodes where got != String(decoding: bytes(hex: hex), as: UTF8.self) {
                failures += 1
                Issue.record("\(name) decode [\(flags)] of \(text.debugDescription): got \(got.debugDescription)")
            }
            if failures > 20 { return }
        }
        for item in fixture.detokenize {
            let expected = String(decoding: bytes(hex: item.text_hex), as: UTF8.self)
            let got = tokenizer.decode(item.ids, removeSpecial: item.remove_special, renderSpecial: item.render_special)
            #expect(got == expected, "\(name) decode \(item.ids) remove \(item.remove_special) render \(item.render_special)")
        }
        if let long = fixture.long_text {
            let text = try String(decoding: Fixture.data("tokenizer/\(long.file)"), as: UTF8.self)
            #expect(tokenizer.encode(text, addSpecial: true, parseSpecial: false) == long.add_noparse, "\(name): \(long.file)")
        }
    }

    @Test("special tokens, attributes and pieces", .enabled(if: TokenizerModels.haveSmolLM2 && TokenizerModels.haveGemma3, Comment(rawValue: TokenizerModels.skipMessage)),
          arguments: ExpectedFixture.names)
    func vocabulary(_ name: String) throws {
        let fixture = try ExpectedFixture.load(name)
        let tokenizer = try TokenizerModels.tokenizer(for: fixture)
        let vocab = fixture.vocab
        #expect(tokenizer.count == vocab.n_tokens)
        #expect(tokenizer.bosID == vocab.bos)
        #expect(tokenizer.eosID == vocab.eos)
        #expect(tokenizer.paddingID == vocab.pad)
        #expect(tokenizer.addsBOS == vocab.add_bos)
        #expect(tokenizer.addsEOS == vocab.add_eos)
        #expect(tokenizer.endOfGenerationIDs == Set(vocab.eog))
        for id in vocab.eog { #expect(tokenizer.isEndOfGeneration(id)) }
        #expect(!tokenizer.isEndOfGeneration(-1))
        // Attributes, as runs [first id, count, attribute bits].
        var runs: [[Int]] = []
        for id in 0..<tokenizer.count {
            let bits = Int(tokenizer.specials.attributes[id].rawValue)
            if let last = runs.last, last[2] == bits, last[0] + last[1] == id {
                runs[runs.count - 1][1] += 1
            } else {
                runs.append([id, 1, bits])
            }
        }
        #expect(runs == vocab.attr_runs)
        // Every rendered piece, digested as tokref does.
        for (renderSpecial, expected) in [(false, vocab.pieces_fnv), (true, vocab.pieces_special_fnv)] {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            for id in 0..<tokenizer.count {
                let piece = tokenizer.piece(Int32(id), renderSpecial: renderSpecial)
                withUnsafeBytes(of: UInt32(piece.count).littleEndian) { $0.forEach(add) }
                piece.forEach(add)
            }
            #expect(String(format: "%016llx", hash) == expected, "pieces, renderSpecial \(renderSpecial)")
        }
    }
}
