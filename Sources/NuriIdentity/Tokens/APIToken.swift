/// What Nuri knows of an API token: everything but the secret.
public struct APIToken: Sendable, Codable, Equatable {
    public let id: String
    public let userID: String
    /// When set, the token acts only within this organisation.
    public let organisationID: String?
    public let name: String
    /// The first characters of the secret, for recognising it in listings.
    public let prefix: String
    /// Sorted, without repeats.
    public let scopes: [Scope]
    /// Unix seconds.
    public let createdAt: Int
    public let expiresAt: Int?
    public let lastUsedAt: Int?
    public let revokedAt: Int?

    public init(id: String, userID: String, organisationID: String?, name: String, prefix: String, scopes: [Scope], createdAt: Int, expiresAt: Int?, lastUsedAt: Int?, revokedAt: Int?) {
        self.id = id
        self.userID = userID
        self.organisationID = organisationID
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes
        case userID = "user_id"
        case organisationID = "organisation_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    /// Why this token cannot be used at `now`, or nil if it can.
    public func unusableReason(now: Int) -> String? {
        if revokedAt != nil { return "the token has been revoked; create a new one with `nuri admin token create`" }
        if let expiresAt, expiresAt <= now { return "the token expired; create a new one with `nuri admin token create`" }
        return nil
    }
}

/// A token just created: its record and, this once, its secret.
public struct IssuedToken: Sendable {
    public let token: APIToken
    public let secret: TokenSecret
}
