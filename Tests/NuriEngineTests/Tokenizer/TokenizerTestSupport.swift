import Foundation
import NuriEngine
import Testing

/// The model files the tokenizer tests read, and the tokenizers built from them once.
///
/// Files are looked up where `make models` puts them (models/ at the repository root), then in
/// the folder named by `NURI_MODELS_DIR`. Tests needing a file are skipped when it is absent.
enum TokenizerModels {
    static let smolLM2File = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let gemma3File = "gemma-3-270m-q4_k_m.gguf"

    static func path(_ file: String) -> String? {
        if let path = TestModels.path(file) { return path }
        if let folder = ProcessInfo.processInfo.environment["NURI_MODELS_DIR"] {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    static let skipMessage = "model file absent: run `make models` (or set NURI_MODELS_DIR)"

    static var haveSmolLM2: Bool { path(smolLM2File) != nil }
    static var haveGemma3: Bool { path(gemma3File) != nil }

    /// The vocabulary of a model file, read through the GGUF reader.
    static func vocabulary(_ file: String) throws -> TokenizerVocabulary {
        guard let path = path(file) else { throw Fixture.FixtureError("\(file): \(skipMessage)") }
        return try TokenizerVocabulary(gguf: GGUFFile(path: path))
    }

    private static let smolLM2Vocabulary: Result<TokenizerVocabulary, any Error> = Result { try vocabulary(smolLM2File) }
    private static let smolLM2Tokenizer: Result<Tokenizer, any Error> = Result { try Tokenizer(vocabulary: smolLM2Vocabulary.get()) }
    private static let gemma3Tokenizer: Result<Tokenizer, any Error> = Result { try Tokenizer(vocabulary: vocabulary(gemma3File)) }

    static func smolLM2() throws -> Tokenizer { try smolLM2Tokenizer.get() }
    static func gemma3() throws -> Tokenizer { try gemma3Tokenizer.get() }

    private static let gemma3Vocabulary: Result<TokenizerVocabulary, any Error> = Result { try vocabulary(gemma3File) }

    /// The tokenizer of an expected-*.json fixture: a model file, possibly with some metadata
    /// replaced (the fixture was made from a copy of the file with those values).
    static func tokenizer(for fixture: ExpectedFixture) throws -> Tokenizer {
        let isGemma = fixture.model_file == gemma3File
        guard !fixture.overrides.isEmpty else { return isGemma ? try gemma3() : try smolLM2() }
        var vocabulary = isGemma ? try gemma3Vocabulary.get() : try smolLM2Vocabulary.get()
        for (key, value) in fixture.overrides {
            switch key {
            case "tokenizer.ggml.pre": vocabulary.preTokenizer = value
            case "tokenizer.ggml.add_bos_token": vocabulary.addBOS = value == "true"
            case "tokenizer.ggml.add_eos_token": vocabulary.addEOS = value == "true"
            case "tokenizer.ggml.add_space_prefix": vocabulary.addSpacePrefix = value == "true"
            case "general.name": vocabulary.modelName = value
            case _ where key.hasPrefix("tokenizer.ggml.tokens["):
                let index = try #require(Int(key.dropFirst("tokenizer.ggml.tokens[".count).dropLast()))
                vocabulary.tokens[index] = value
            default:
                throw Fixture.FixtureError("unknown override \(key)")
            }
        }
        return try Tokenizer(vocabulary: vocabulary)
    }
}

/// expected-*.json: what llama.cpp b11312 made of the cases for one vocabulary.
struct ExpectedFixture: Decodable {
    struct Vocab: Decodable {
        let n_tokens: Int
        let bos: Int32
        let eos: Int32
        let pad: Int32
        let add_bos: Bool
        let add_eos: Bool
        let attr_runs: [[Int]]
        let eog: [Int32]
        let pieces_fnv: String
        let pieces_special_fnv: String
    }
    struct Case: Decodable {
        let text: String
        let add_parse: [Int32]
        let add_noparse: [Int32]
        let noadd_parse: [Int32]
        let noadd_noparse: [Int32]
        let decoded_hex: String
        let decoded_add_parse_special_hex: String
        let decoded_add_parse_removed_hex: String
    }
    struct Detokenize: Decodable {
        let ids: [Int32]
        let remove_special: Bool
        let render_special: Bool
        let text_hex: String
    }
    struct LongText: Decodable {
        let file: String
        let add_noparse: [Int32]
    }
    let model_file: String
    /// Metadata replaced in the model file's copy the figures were made from.
    let overrides: [String: String]
    let vocab: Vocab
    let cases: [Case]
    let detokenize: [Detokenize]
    let long_text: LongText?

    /// The fixture names, one per vocabulary.
    static let names = [
        "SmolLM2-135M-Instruct.Q4_1",
        "SmolLM2-135M-Instruct.Q4_1+pre=llama-bpe",
        "SmolLM2-135M-Instruct.Q4_1+pre=qwen2",
        "SmolLM2-135M-Instruct.Q4_1+pre=gpt-2",
        "SmolLM2-135M-Instruct.Q4_1+pre=default",
        "SmolLM2-135M-Instruct.Q4_1+pre=starcoder",
        "SmolLM2-135M-Instruct.Q4_1+add_bos_token=true+add_eos_token=true",
        "gemma-3-270m-q4_k_m",
        "gemma-3-270m-q4_k_m+add_space_prefix=true+add_eos_token=true",
        "gemma-3-270m-q4_k_m+name=Phi-3_mini_name_rule_test",
    ]

    static func load(_ name: String) throws -> ExpectedFixture {
        try JSONDecoder().decode(ExpectedFixture.self, from: Fixture.data("tokenizer/expected-\(name).json"))
    }

    var modelAvailable: Bool { TokenizerModels.path(model_file) != nil }
}

/// Bytes from a hex string (fixtures carry decoded text as hex: it may be invalid UTF-8).
func bytes(hex: String) -> [UInt8] {
    var output: [UInt8] = []
    var iterator = hex.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
    while let high = iterator.next(), let low = iterator.next() {
        output.append(nibble(high) << 4 | nibble(low))
    }
    return output
}

/// A small deterministic generator, so random tests fail the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random text mixing scripts, digits, whitespace, emoji and arbitrary code points.
func randomText(_ generator: inout SeededGenerator, maxLength: Int = 40) -> String {
    let pools: [[Unicode.Scalar]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars),
        Array("0123456789 \n\t'.,!?-".unicodeScalars),
        (0xAC00..<0xD7A4).compactMap(Unicode.Scalar.init),
        Array("日本語中文😀👋🏽🇰🇷é\u{301}\u{A0}\u{3000}".unicodeScalars),
    ]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 1...maxLength, using: &generator) {
        if Int.random(in: 0..<10, using: &generator) == 0 {
            var value = UInt32.random(in: 0x20...0x2FFFF, using: &generator)
            if (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
            scalars.append(Unicode.Scalar(value) ?? "?")
        } else {
            let pool = pools[Int.random(in: 0..<pools.count, using: &generator)]
            scalars.append(pool[Int.random(in: 0..<pool.count, using: &generator)])
        }
    }
    return String(scalars)
}
