/// Failures of loading or running a model, each saying what to do.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read as GGUF.
    case gguf(GGUFError)
    /// The architecture named in `general.architecture` is not implemented.
    case unsupportedArchitecture(String)
    /// A tensor the architecture needs is missing or has the wrong shape.
    case tensor(name: String, reason: String)
    /// A hyperparameter is missing or impossible.
    case hyperparameter(key: String, reason: String)
    /// The sequence would grow past the context the cache was made for.
    case contextFull(limit: Int, needed: Int)
    /// A token id outside the vocabulary.
    case invalidToken(Int32, vocabularySize: Int)
    /// A batch named one sequence's cache twice.
    case sequenceTwiceInBatch

    public var description: String {
        switch self {
        case .gguf(let error): return error.description
        case .unsupportedArchitecture(let name):
            return "model architecture '\(name)' is not supported (llama, qwen2 and gemma3 are)"
        case .tensor(let name, let reason): return "tensor '\(name)' \(reason)"
        case .hyperparameter(let key, let reason): return "model metadata '\(key)' \(reason)"
        case .contextFull(let limit, let needed):
            return "the conversation needs \(needed) tokens but the context holds \(limit); shorten the input or raise the context size"
        case .invalidToken(let id, let size): return "token id \(id) is outside the vocabulary of \(size) tokens"
        case .sequenceTwiceInBatch: return "a batch holds the same sequence twice; give each sequence's tokens once"
        }
    }
}
