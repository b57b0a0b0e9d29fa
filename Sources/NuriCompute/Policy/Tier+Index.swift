extension Tier {
    /// The tier's position in `Tier.allCases` (its `rank`) without building `allCases`: the
    /// scheduler reads it per job in its hot loops. `TierIndexTests` checks it equals `rank`.
    @inline(__always)
    public var index: Int {
        switch self {
        case .nationalTeam: 0
        case .public: 1
        case .academic: 2
        case .startup: 3
        case .industry: 4
        }
    }

    /// How many tiers there are.
    static let count = 5
}
