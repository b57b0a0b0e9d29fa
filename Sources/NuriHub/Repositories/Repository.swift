import NuriIdentity

/// A repository as stored: who owns it, who may see it, and what its model card says.
public struct Repository: Sendable, Equatable {
    /// Internal id (`rep_…`); never shown to Hub clients, who use ``repositoryID``.
    public let id: String
    public let kind: RepositoryKind
    public let repositoryID: RepositoryID
    /// Set when an organisation owns it.
    public let ownerOrganisationID: String?
    /// Set when a user owns it.
    public let ownerUserID: String?
    public var visibility: Visibility
    /// For ``Visibility/sectors``: the sectors whose organisations' members may see it.
    public var sectors: [Sector]
    /// The searchable fields of the model card at the head of `main`.
    public var card: ModelCardFields
    public let createdAt: Int
    public var updatedAt: Int

    public init(id: String, kind: RepositoryKind, repositoryID: RepositoryID, ownerOrganisationID: String?, ownerUserID: String?,
                visibility: Visibility, sectors: [Sector], card: ModelCardFields, createdAt: Int, updatedAt: Int) {
        self.id = id
        self.kind = kind
        self.repositoryID = repositoryID
        self.ownerOrganisationID = ownerOrganisationID
        self.ownerUserID = ownerUserID
        self.visibility = visibility
        self.sectors = sectors
        self.card = card
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
