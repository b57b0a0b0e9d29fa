/// Why a GGUF file was refused. Every case names what was wrong and where, so a user can tell a
/// truncated download from an unsupported model.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or mapped.
    case io(path: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case notGGUF(found: [UInt8])
    /// A GGUF version other than 2 or 3.
    case unsupportedVersion(UInt32)
    /// The file ended while reading `what` at byte `offset`.
    case truncated(what: String, offset: Int)
    /// A metadata value has a type code GGUF does not define.
    case invalidValueType(key: String, code: UInt32, offset: Int)
    /// A count or length is larger than the file could hold.
    case implausibleCount(what: String, count: UInt64, offset: Int)
    /// The same metadata key appears twice.
    case duplicateKey(String)
    /// The same tensor name appears twice.
    case duplicateTensor(String)
    /// A tensor's description does not fit the file: `reason` says how.
    case invalidTensor(name: String, reason: String)
    /// A tensor has a type this engine does not implement.
    case unsupportedTensorType(name: String, code: UInt32)
    /// A metadata key the caller needs is missing or has the wrong type.
    case missingKey(String, expected: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "cannot read \(path): \(reason)"
        case .notGGUF(let found):
            return "not a GGUF file (it starts with bytes \(found.map { String($0, radix: 16) }.joined(separator: " ")), not 'GGUF'); check the path or re-download the model"
        case .unsupportedVersion(let version): return "GGUF version \(version) is not supported (versions 2 and 3 are)"
        case .truncated(let what, let offset): return "the file is truncated: it ends while reading \(what) at byte \(offset); re-download the model"
        case .invalidValueType(let key, let code, let offset): return "metadata key '\(key)' has unknown value type \(code) at byte \(offset)"
        case .implausibleCount(let what, let count, let offset): return "\(what) at byte \(offset) claims \(count) items, more than the rest of the file can hold: the file is truncated or corrupt"
        case .duplicateKey(let key): return "metadata key '\(key)' appears twice"
        case .duplicateTensor(let name): return "tensor '\(name)' appears twice"
        case .invalidTensor(let name, let reason): return "tensor '\(name)': \(reason)"
        case .unsupportedTensorType(let name, let code):
            return "tensor '\(name)' has type \(GGMLType.name(of: code)), which Nuri does not support (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K are)"
        case .missingKey(let key, let expected): return "metadata key '\(key)' is missing or is not \(expected)"
        }
    }
}
