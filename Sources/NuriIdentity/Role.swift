/// A user's role inside one organisation. Ordered: an owner can do all an admin can, and so on.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case member
    case admin
    case owner

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .member: 0
        case .admin: 1
        case .owner: 2
        }
    }

    /// Parses a role as a user types it, with an error listing the valid ones.
    public static func parse(_ text: String) throws(IdentityError) -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw .invalidInput(param: "role", message: "unknown role '\(text)'; use one of: owner, admin, member")
        }
        return role
    }
}
