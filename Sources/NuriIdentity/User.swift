/// A person (or a service account) who holds tokens and belongs to organisations.
public struct User: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    /// A platform operator stands above organisations: may create them and manage everything.
    public let isOperator: Bool
    /// Unix seconds.
    public let createdAt: Int

    public init(id: String, name: String, isOperator: Bool, createdAt: Int) {
        self.id = id
        self.name = name
        self.isOperator = isOperator
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case isOperator = "is_operator"
        case createdAt = "created_at"
    }
}
