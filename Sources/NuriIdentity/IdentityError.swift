/// Identity's failures. Each names what is wrong and, where it helps, what to do; the server maps
/// each case to one HTTP status in one place.
public enum IdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No credentials, or credentials that are not valid (unknown, expired, revoked). 401.
    case unauthenticated(String)
    /// Valid credentials without the scope or role the action needs. 403.
    case forbidden(String)
    /// Something named does not exist (or the caller may not know it exists). 404.
    case notFound(kind: String, name: String)
    /// A name is already taken. 409.
    case alreadyExists(kind: String, name: String)
    /// A value given by the caller is not acceptable. 400.
    case invalidInput(param: String, message: String)

    public var description: String {
        switch self {
        case .unauthenticated(let message), .forbidden(let message): return message
        case .notFound(let kind, let name): return "\(kind) '\(name)' does not exist"
        case .alreadyExists(let kind, let name): return "\(kind) '\(name)' already exists; choose another name"
        case .invalidInput(_, let message): return message
        }
    }
}
