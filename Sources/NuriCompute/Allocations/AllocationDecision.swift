/// One recorded decision about an allocation: who did what, when, what changed and why.
public struct AllocationDecision: Sendable, Codable, Equatable {
    /// One field's value before and after (as text).
    public struct FieldChange: Sendable, Codable, Equatable {
        public let field: String
        public let from: String?
        public let to: String?

        public init(field: String, from: String?, to: String?) {
            self.field = field
            self.from = from
            self.to = to
        }
    }

    public let id: String
    public let allocationID: String
    public let action: AllocationAction
    /// Nil for the request that created the allocation.
    public let fromStatus: AllocationStatus?
    public let toStatus: AllocationStatus
    public let changes: [FieldChange]
    public let reason: String
    /// The user id (`usr_…`), `cli:operator` or `system`.
    public let actor: String
    /// Unix seconds.
    public let createdAt: Int

    public init(id: String, allocationID: String, action: AllocationAction, fromStatus: AllocationStatus?, toStatus: AllocationStatus,
                changes: [FieldChange], reason: String, actor: String, createdAt: Int) {
        self.id = id
        self.allocationID = allocationID
        self.action = action
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.changes = changes
        self.reason = reason
        self.actor = actor
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, action, changes, reason, actor
        case allocationID = "allocation_id"
        case fromStatus = "from_status"
        case toStatus = "to_status"
        case createdAt = "created_at"
    }
}
