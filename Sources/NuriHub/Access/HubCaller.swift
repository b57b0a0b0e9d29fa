import NuriIdentity

/// Who is asking: an authenticated principal, or nobody (anonymous access to public repositories).
public struct HubCaller: Sendable {
    /// The caller as authenticated, nil when anonymous.
    public let principal: Principal?

    public static let anonymous = HubCaller(principal: nil)

    public init(principal: Principal?) {
        self.principal = principal
    }

    /// The principal whose token may read (a token with neither `read` nor `write`, say an
    /// `inference`-only key, reads only what anonymous callers can).
    var reader: Principal? {
        guard let principal, principal.token.scopes.contains(.read) || principal.token.scopes.contains(.write) else { return nil }
        return principal
    }

    public var isOperator: Bool { principal?.isOperator ?? false }
    public var userID: String? { principal?.user.id }
    public var organisationIDs: [String] { principal?.memberships.map(\.organisationID) ?? [] }
}
