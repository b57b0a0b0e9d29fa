/// A user's request for the files of a gated repository, and the decision on it.
public struct AccessRequest: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending
        case accepted
        case rejected
    }

    public let id: String
    public let repositoryID: String
    public let userID: String
    public let userName: String
    public let reason: String
    public let status: Status
    public let createdAt: Int
    /// The admin who decided, and when.
    public let decidedBy: String?
    public let decidedAt: Int?
    public let decisionNote: String?
}
