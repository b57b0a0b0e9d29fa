/// Why a tokenizer could not be built from a vocabulary (usually a GGUF file's `tokenizer.*`
/// metadata). Building never crashes on bad metadata: every problem is one of these.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required metadata key is absent.
    case missingKey(String)
    /// A metadata key holds a value of another type than the one the tokenizer reads.
    case wrongType(key: String, expected: String)
    /// An array is shorter than the token list it describes (scores, token types).
    case lengthMismatch(key: String, expected: Int, found: Int)
    /// A merge rule is not two pieces separated by a space.
    case malformedMerge(index: Int, text: String)
    /// The vocabulary has no tokens.
    case emptyVocabulary
    /// Two tokens have the same text (llama.cpp refuses such a vocabulary too).
    case duplicateToken(id: Int, text: String)
    /// `tokenizer.ggml.model` names a tokenizer this engine does not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer this engine does not implement
    /// (or that llama.cpp does not know either).
    case unsupportedPreTokenizer(String)
    /// The metadata asks for a special token (say, a BOS to prepend) that the vocabulary lacks.
    case missingSpecialToken(String)

    /// The problem in words, naming the metadata key where there is one.
    public var description: String {
        switch self {
        case .missingKey(let key): "tokenizer metadata lacks \(key)"
        case .wrongType(let key, let expected): "tokenizer metadata \(key) is not \(expected)"
        case .lengthMismatch(let key, let expected, let found):
            "tokenizer metadata \(key) has \(found) entries for \(expected) tokens"
        case .malformedMerge(let index, let text): "merge #\(index) is not two pieces separated by a space: \(text.debugDescription)"
        case .emptyVocabulary: "the vocabulary has no tokens"
        case .duplicateToken(let id, let text): "token \(id) repeats the text \(text.debugDescription)"
        case .unsupportedModel(let name): "unsupported tokenizer model \(name.debugDescription)"
        case .unsupportedPreTokenizer(let name): "unsupported pre-tokenizer \(name.debugDescription)"
        case .missingSpecialToken(let which): "the vocabulary has no \(which) token but its metadata asks for one"
        }
    }
}
