/// What an API token may be used for. A request needs the scope its route names; the token's
/// user must also hold the role the action needs.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read: list and download.
    case read
    /// Write: create, upload, change.
    case write
    /// Inference: call models.
    case inference
    /// Administration: organisations, users, other people's tokens.
    case admin

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .inference: 2
        case .admin: 3
        }
    }

    /// Parses `read,write,inference` (commas, spaces or both) into a set; rejects unknown names
    /// and an empty list.
    public static func parseList(_ text: String) throws(IdentityError) -> Set<Scope> {
        let names = text.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.lowercased() }
        var scopes = Set<Scope>()
        for name in names {
            guard let scope = Scope(rawValue: name) else {
                throw .invalidInput(param: "scopes", message: "unknown scope '\(name)'; use any of: read, write, inference, admin")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else {
            throw .invalidInput(param: "scopes", message: "give at least one scope: read, write, inference, admin")
        }
        return scopes
    }

    /// The canonical stored form: sorted, comma-separated.
    static func serialise(_ scopes: Set<Scope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: ",")
    }
}
