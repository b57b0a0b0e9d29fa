import NuriIdentity

/// The one place that decides what a caller may do with a repository (see ``Visibility``).
public enum RepositoryAccess {
    /// The grants that concern one caller: organisations invited to private repositories and the
    /// caller's approved access to gated ones, as repository ids.
    public struct Grants: Sendable {
        public var invitedRepositoryIDs: Set<String>
        public var approvedRepositoryIDs: Set<String>

        public static let none = Grants(invitedRepositoryIDs: [], approvedRepositoryIDs: [])

        public init(invitedRepositoryIDs: Set<String>, approvedRepositoryIDs: Set<String>) {
            self.invitedRepositoryIDs = invitedRepositoryIDs
            self.approvedRepositoryIDs = approvedRepositoryIDs
        }
    }

    /// The caller's level on `repository`.
    public static func level(of caller: HubCaller, on repository: Repository, grants: Grants) -> AccessLevel {
        if let principal = caller.principal, principal.isOperator {
            return principal.token.scopes.contains(.write) ? .admin : .read
        }
        let reader = caller.reader
        if let principal = reader, let role = ownerRole(principal, repository) {
            guard principal.token.scopes.contains(.write) else { return .read }
            return role >= .admin ? .admin : .write
        }
        switch repository.visibility {
        case .public:
            return .read
        case .registered:
            return reader == nil ? .none : .read
        case .sectors:
            guard let principal = reader else { return .none }
            let sectors = Set(repository.sectors)
            return principal.memberships.contains { sectors.contains($0.sector) } ? .read : .none
        case .gated:
            return grants.approvedRepositoryIDs.contains(repository.id) && reader != nil ? .read : .metadata
        case .private:
            return reader != nil && grants.invitedRepositoryIDs.contains(repository.id) ? .read : .none
        }
    }

    /// The caller's role as owner: `owner` for the user who owns it, the membership role for an
    /// organisation's members, nil otherwise.
    static func ownerRole(_ principal: Principal, _ repository: Repository) -> Role? {
        if let userID = repository.ownerUserID, userID == principal.user.id { return .owner }
        if let organisationID = repository.ownerOrganisationID { return principal.role(in: organisationID) }
        return nil
    }

    /// Throws the error that reveals no more than the caller may know when `level` is below `needed`:
    /// "not found" below ``AccessLevel/metadata``, "gated" for files of a gated repository,
    /// "forbidden" otherwise.
    public static func require(_ needed: AccessLevel, have level: AccessLevel, repository: Repository, caller: HubCaller) throws(HubError) {
        guard level < needed else { return }
        let id = repository.repositoryID.description
        if level == .none { throw .repositoryNotFound(id) }
        if needed == .read && level == .metadata { throw .gated(id) }
        if caller.principal == nil {
            throw .unauthenticated("sign in to \(needed == .admin ? "administer" : "write to") \(id): send `Authorization: Bearer nuri_…`")
        }
        if level == .read && needed >= .write, let principal = caller.principal, !principal.token.scopes.contains(.write) {
            throw .forbidden("this token lacks the 'write' scope; create a token with --scopes including write")
        }
        throw .forbidden(needed == .admin
            ? "only an admin of '\(id.split(separator: "/")[0])' or an operator may change \(id)'s settings or decide its access requests"
            : "you may read \(id) but not write to it: only members of '\(repository.repositoryID.owner)' may push")
    }
}
