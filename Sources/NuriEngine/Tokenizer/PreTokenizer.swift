/// How a byte-level BPE vocabulary cuts text into words before merging, chosen by the GGUF key
/// `tokenizer.ggml.pre` exactly as llama.cpp chooses it.
///
/// llama.cpp describes each pre-tokenizer as a list of regexes applied in turn: the first cuts
/// the text, each next one cuts every piece again (text a regex does not match stays a piece).
/// Here each regex is a scanner in ``WordScanners``.
enum PreTokenizer: Sendable, Equatable {
    /// GPT-2's regex alone.
    case gpt2
    /// Every number on its own, then GPT-2's regex (StarCoder, SmolLM…).
    case smollm
    /// Llama 3's regex: digits in groups of three, newlines kept with what precedes them.
    case llama3
    /// Qwen 2's regex: Llama 3's with single digits.
    case qwen2
    /// llama.cpp's fallback for `default` or a missing key: punctuation runs, GPT-2's regex,
    /// number runs, then groups of three ASCII digits.
    case `default`

    /// What a `tokenizer.ggml.pre` value selects in llama.cpp besides the splitting.
    struct Settings: Sendable, Equatable {
        var kind: PreTokenizer
        /// Whether decoding tidies spaces before punctuation and contractions (llama.cpp's
        /// `clean_spaces`).
        var cleanSpaces: Bool
        /// Whether a word that is itself a token skips merging (`ignore_merges`).
        var ignoreMerges: Bool = false
        /// The default of `add_bos_token` when the metadata does not say.
        var addsBOS: Bool = false
    }

    /// The settings for a `tokenizer.ggml.pre` value, or `nil` if it is not one this engine
    /// implements. Names are llama.cpp's; only those whose splitting is one of the cases above.
    static func settings(forName name: String?) -> Settings? {
        guard let name, !name.isEmpty else { return Settings(kind: .default, cleanSpaces: true) }
        switch name {
        case "default":
            return Settings(kind: .default, cleanSpaces: true)
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            return Settings(kind: .llama3, cleanSpaces: true, ignoreMerges: true, addsBOS: true)
        case "dbrx", "smaug-bpe":
            return Settings(kind: .llama3, cleanSpaces: true)
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open":
            return Settings(kind: .qwen2, cleanSpaces: false)
        case "stablelm2", "megrez":
            return Settings(kind: .qwen2, cleanSpaces: true)
        case "smollm", "command-r":
            return Settings(kind: .smollm, cleanSpaces: false)
        case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
            return Settings(kind: .smollm, cleanSpaces: true)
        case "gpt-2", "phi-2", "gigachat", "a.x-4.0", "mellum", "exaone4", "mpt", "olmo", "jais":
            return Settings(kind: .gpt2, cleanSpaces: true)
        case "trillion", "granite-docling":
            return Settings(kind: .gpt2, cleanSpaces: false)
        default:
            // Includes "gpt2": llama.cpp knows GPT-2's pre-tokenizer as "gpt-2" and refuses
            // "gpt2", so this does too.
            return nil
        }
    }

    /// Cuts `text` (code points) into words; `ends` receives the end index of each word.
    /// `scratch` is a buffer the stages reuse.
    func split(_ text: UnsafeBufferPointer<UInt32>, into ends: inout [Int], scratch: inout [Int]) {
        ends.removeAll(keepingCapacity: true)
        guard !text.isEmpty else { return }
        ends.append(text.count)
        switch self {
        case .gpt2:
            Self.apply(WordScanners.gpt2, text, &ends, &scratch)
        case .smollm:
            Self.apply(WordScanners.isolateNumbers, text, &ends, &scratch)
            Self.apply(WordScanners.gpt2, text, &ends, &scratch)
        case .llama3:
            Self.apply({ WordScanners.llama3($0, $1, $2, maxDigits: 3, into: &$3) }, text, &ends, &scratch)
        case .qwen2:
            Self.apply({ WordScanners.llama3($0, $1, $2, maxDigits: 1, into: &$3) }, text, &ends, &scratch)
        case .default:
            Self.apply(WordScanners.punctuationRuns, text, &ends, &scratch)
            Self.apply(WordScanners.gpt2, text, &ends, &scratch)
            Self.apply(WordScanners.numberRuns, text, &ends, &scratch)
            Self.apply(WordScanners.asciiDigitTriples, text, &ends, &scratch)
        }
    }

    /// Runs one scanner over every current piece, replacing the pieces by its words.
    private static func apply(
        _ scanner: (UnsafeBufferPointer<UInt32>, Int, Int, inout [Int]) -> Void,
        _ text: UnsafeBufferPointer<UInt32>, _ ends: inout [Int], _ scratch: inout [Int]
    ) {
        scratch.removeAll(keepingCapacity: true)
        var start = 0
        for end in ends {
            scanner(text, start, end, &scratch)
            start = end
        }
        swap(&ends, &scratch)
    }
}
