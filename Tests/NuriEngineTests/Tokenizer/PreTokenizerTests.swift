import Foundation
@testable import NuriEngine
import Testing

/// The pre-tokenizers' word splits against llama.cpp's `unicode_regex_split` (b11312) on the
/// cases and on random text (Fixtures/tokenizer/splits.json), and the code point classes
/// against llama.cpp's tables. No model file needed.
@Suite("Pre-tokenizers")
struct PreTokenizerTests {
    struct Splits: Decodable {
        let inputs: [String]
        let gpt2: [[String]]
        let smollm: [[String]]
        let llama3: [[String]]
        let qwen2: [[String]]
        let `default`: [[String]]
    }

    static func words(_ text: String, _ preTokenizer: PreTokenizer) -> [String] {
        var codepoints: [UInt32] = []
        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { CodepointDecoding.decode($0, into: &codepoints) }
        var ends: [Int] = [], scratch: [Int] = []
        return codepoints.withUnsafeBufferPointer { buffer in
            preTokenizer.split(buffer, into: &ends, scratch: &scratch)
            var start = 0
            return ends.map { end in
                defer { start = end }
                var scalars = String.UnicodeScalarView()
                for value in buffer[start..<end] { scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}") }
                return String(scalars)
            }
        }
    }

    @Test("splits equal llama.cpp's", arguments: [PreTokenizer.gpt2, .smollm, .llama3, .qwen2, .default])
    func splits(_ preTokenizer: PreTokenizer) throws {
        let splits = try JSONDecoder().decode(Splits.self, from: Fixture.data("tokenizer/splits.json"))
        let expected: [[String]] = switch preTokenizer {
        case .gpt2: splits.gpt2
        case .smollm: splits.smollm
        case .llama3: splits.llama3
        case .qwen2: splits.qwen2
        case .default: splits.default
        }
        #expect(expected.count == splits.inputs.count)
        var failures = 0
        for (input, words) in zip(splits.inputs, expected) {
            let got = Self.words(input, preTokenizer)
            if got != words {
                failures += 1
                Issue.record("\(preTokenizer) \(input.debugDescription): got \(got), llama.cpp \(words)")
                if failures > 10 { break }
            }
        }
    }

    @Test("llama3 groups digits by three, qwen2 and smollm one by one")
    func digits() {
        #expect(Self.words("1234567", .llama3) == ["123", "456", "7"])
        #expect(Self.words("1234567", .qwen2) == ["1", "2", "3", "4", "5", "6", "7"])
        #expect(Self.words("x 1234567", .smollm) == ["x", " ", "1", "2", "3", "4", "5", "6", "7"])
        #expect(Self.words("1234567", .default) == ["123", "456", "7"])
    }

    @Test("contractions: case-insensitive for llama3, lower case only for gpt2")
    func contractions() {
        #expect(Self.words("IT'S", .llama3) == ["IT", "'S"])
        #expect(Self.words("IT'S", .gpt2) == ["IT", "'", "S"])
        #expect(Self.words("it's", .gpt2) == ["it", "'s"])
    }

    @Test("pre-tokenizer names as llama.cpp maps them")
    func names() {
        #expect(PreTokenizer.settings(forName: "smollm")?.kind == .smollm)
        #expect(PreTokenizer.settings(forName: "llama-bpe")?.kind == .llama3)
        #expect(PreTokenizer.settings(forName: "llama-bpe")?.ignoreMerges == true)
        #expect(PreTokenizer.settings(forName: "qwen2")?.kind == .qwen2)
        #expect(PreTokenizer.settings(forName: "gpt-2")?.kind == .gpt2)
        #expect(PreTokenizer.settings(forName: "default")?.kind == .default)
        #expect(PreTokenizer.settings(forName: nil)?.kind == .default)
        #expect(PreTokenizer.settings(forName: "gpt2") == nil)  // llama.cpp refuses it too
        #expect(PreTokenizer.settings(forName: "no-such-thing") == nil)
    }

    /// Fixtures/tokenizer/codepoint-flags-b11312.txt: llama.cpp's flags of every code point
    /// (categories and whitespace), as runs "start flags" in hex.
    @Test("code point classes equal llama.cpp's tables for all of U+0000…U+10FFFF")
    func codepointClasses() throws {
        let text = try String(decoding: Fixture.data("tokenizer/codepoint-flags-b11312.txt"), as: UTF8.self)
        var runs: [(start: UInt32, flags: UInt32)] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            try runs.append((#require(UInt32(fields[0], radix: 16)), #require(UInt32(fields[1], radix: 16))))
        }
        let categoryBit: [UInt8: UInt32] = [0: 0x01, 1: 0x02, 2: 0x04, 3: 0x08, 4: 0x10, 5: 0x20, 6: 0x40, 7: 0x80]
        var mismatches = 0
        for (index, run) in runs.enumerated() {
            let end = index + 1 < runs.count ? runs[index + 1].start : 0x110000
            for codepoint in run.start..<end {
                let cls = CodepointClass.of(codepoint)
                let flags = (categoryBit[cls.rawValue & 0x0F] ?? 0) | (cls.isWhitespace ? 0x100 : 0)
                if flags != run.flags {
                    mismatches += 1
                    if mismatches < 5 { Issue.record("U+\(String(codepoint, radix: 16)): \(flags) vs \(run.flags)") }
                }
            }
        }
        #expect(mismatches == 0)
    }
}
