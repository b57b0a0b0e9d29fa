/// An organisation: a public agency, a company, a university or a startup.
public struct Organisation: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    public let sector: Sector
    /// Unix seconds.
    public let createdAt: Int

    public init(id: String, name: String, sector: Sector, createdAt: Int) {
        self.id = id
        self.name = name
        self.sector = sector
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, sector
        case createdAt = "created_at"
    }
}
