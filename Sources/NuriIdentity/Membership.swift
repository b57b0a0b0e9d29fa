/// A user's place in an organisation.
public struct Membership: Sendable, Codable, Equatable {
    public let userID: String
    public let organisationID: String
    /// The organisation's name, for display and for checks by name.
    public let organisationName: String
    public let sector: Sector
    public let role: Role

    public init(userID: String, organisationID: String, organisationName: String, sector: Sector, role: Role) {
        self.userID = userID
        self.organisationID = organisationID
        self.organisationName = organisationName
        self.sector = sector
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case organisationID = "organisation_id"
        case organisationName = "organisation"
        case sector, role
    }
}
