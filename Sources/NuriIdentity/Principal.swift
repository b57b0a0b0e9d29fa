/// The authenticated caller of a request: a user acting through one token.
///
/// Every authorisation question is answered here, so routes and commands ask the same thing the
/// same way: the token must carry the scope, and the user must hold the role.
public struct Principal: Sendable {
    public let user: User
    public let token: APIToken
    /// The user's memberships, narrowed to the token's organisation when the token has one.
    public let memberships: [Membership]

    public init(user: User, token: APIToken, memberships: [Membership]) {
        self.user = user
        self.token = token
        if let only = token.organisationID {
            self.memberships = memberships.filter { $0.organisationID == only }
        } else {
            self.memberships = memberships
        }
    }

    /// A platform operator acting through an unscoped token.
    public var isOperator: Bool { user.isOperator && token.organisationID == nil }

    /// Throws 403 unless the token carries `scope`.
    public func require(_ scope: Scope) throws(IdentityError) {
        guard token.scopes.contains(scope) else {
            throw .forbidden("this token lacks the '\(scope.rawValue)' scope; create a token with --scopes including \(scope.rawValue)")
        }
    }

    /// Throws 403 unless the caller is a platform operator.
    public func requireOperator(_ action: String) throws(IdentityError) {
        guard isOperator else { throw .forbidden("only a platform operator may \(action)") }
    }

    /// The caller's role in an organisation, if a member (through this token).
    public func role(in organisationID: String) -> Role? {
        memberships.first { $0.organisationID == organisationID }?.role
    }

    /// Whether the caller may see an organisation and its members: operators and members.
    public func canView(_ organisation: Organisation) -> Bool {
        isOperator || role(in: organisation.id) != nil
    }

    /// Throws 403 unless the caller is an operator or holds at least `minimum` in the organisation.
    public func requireRole(_ minimum: Role, in organisation: Organisation, to action: String) throws(IdentityError) {
        if isOperator { return }
        guard let role = role(in: organisation.id), role >= minimum else {
            throw .forbidden("only an \(minimum.rawValue) of '\(organisation.name)' or an operator may \(action)")
        }
    }

    /// Throws 403 unless the caller may give `role` to someone in `organisation`: operators and
    /// owners any role, admins `member` and `admin`.
    public func requireCanGrant(_ role: Role, in organisation: Organisation) throws(IdentityError) {
        try requireRole(role == .owner ? .owner : .admin, in: organisation, to: "add \(role.rawValue)s to it")
    }

    /// Throws 403 unless the caller may create a token with these scopes for `user`: anyone for
    /// themselves (scopes no wider than the calling token's), an operator for anyone.
    public func requireCanIssueToken(for user: User, scopes: Set<Scope>) throws(IdentityError) {
        if isOperator { return }
        guard user.id == self.user.id else {
            throw .forbidden("only a platform operator may create tokens for another user")
        }
        let wider = scopes.subtracting(Set(token.scopes))
        guard wider.isEmpty else {
            throw .forbidden("a token cannot create a token with scopes it lacks (\(wider.sorted().map(\.rawValue).joined(separator: ",")))")
        }
    }

    /// Whether the caller may see or revoke this token: its owner or an operator.
    public func canManage(_ token: APIToken) -> Bool {
        isOperator || token.userID == user.id
    }
}
