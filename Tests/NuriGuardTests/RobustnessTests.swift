import Testing
@testable import NuriGuard

/// Random and mutated text never traps, and results keep their invariants: spans in range,
/// sorted, not overlapping; masking any of them keeps the text's other scalars.
@Suite("Robustness")
struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Scalars that matter to the rules, and some that do not.
    static let alphabet: [Unicode.Scalar] = Array("0123456789-. +@:()/,*_%abcfxyzABMSX가김이박님씨로길구시동호층번주민계좌은행여권😀👍🇰🇷\u{200D}\u{FE0F}\u{3000}\n\t".unicodeScalars)
        + ["\u{0}", "\u{7F}", "\u{FFFD}", "\u{10FFFF}", "\u{AC00}", "\u{D7A3}", "\u{D7A4}", "\u{1100}"]

    static func check(_ text: String, _ scanner: PIIScanner) {
        let result = scanner.scan(text)
        let count = text.unicodeScalars.count
        var previousEnd = 0
        for entity in result.entities {
            #expect(entity.start >= previousEnd && entity.start < entity.end && entity.end <= count, "\(String(reflecting: text))")
            #expect(entity.confidence > 0 && entity.confidence <= 1)
            previousEnd = entity.end
        }
        for mode in MaskingMode.allCases {
            var masker = PIIMasker()
            _ = masker.mask(text, entities: result.entities, mode: mode)
        }
        _ = result.jsonLine()
    }

    @Test("random text from a hostile alphabet")
    func randomText() {
        var random = SplitMix(state: 42)
        let scanner = PIIScanner()
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<80, using: &random)
            var view = String.UnicodeScalarView()
            for _ in 0..<length { view.append(Self.alphabet.randomElement(using: &random) ?? "a") }
            Self.check(String(view), scanner)
        }
    }

    @Test("corpus sentences with random edits: deletions, duplications, swapped scalars")
    func mutatedCorpus() throws {
        var random = SplitMix(state: 7)
        let scanner = PIIScanner()
        let sentences = try CorpusSentence.load()
        for sentence in sentences.prefix(600) {
            var scalars = Array(sentence.text.unicodeScalars)
            for _ in 0..<Int.random(in: 1...6, using: &random) where !scalars.isEmpty {
                let index = Int.random(in: 0..<scalars.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: scalars.remove(at: index)
                case 1: scalars.insert(scalars[index], at: index)
                case 2: scalars[index] = Self.alphabet.randomElement(using: &random) ?? "a"
                default: scalars.swapAt(index, Int.random(in: 0..<scalars.count, using: &random))
                }
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            Self.check(String(view), scanner)
        }
    }

    @Test("edge cases: empty, huge numbers, long words, only separators")
    func edgeCases() {
        let scanner = PIIScanner()
        for text in ["", " ", "-", "+", "@", "::", ":::::", "....", "+82", "+8", "010-", "-010-1234-5678-",
                     String(repeating: "9", count: 5000), String(repeating: "1-", count: 2000),
                     String(repeating: "가", count: 3000), String(repeating: "김민수님 ", count: 500),
                     String(repeating: "서울 ", count: 1000) + "테헤란로 1", String(repeating: "a@", count: 300),
                     String(repeating: "ff:", count: 100), "((((((((((", "(02)", "02)", ")123-4567"] {
            Self.check(text, scanner)
        }
    }
}
