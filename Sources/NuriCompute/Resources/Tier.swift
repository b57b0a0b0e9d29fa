/// A project's tier: who the centre serves first. The order is the default priority order
/// (national teams first); the policy gives each tier its weight, QOS and preemption rights.
public enum Tier: String, CaseIterable, Codable, Sendable, Comparable {
    case nationalTeam = "national_team"
    case `public` = "public"
    case academic
    case startup
    case industry

    /// 0 for the first-served tier: the position in `allCases`, without building it (the
    /// scheduler reads it per job in its hot loops).
    @inline(__always)
    public var rank: Int {
        switch self {
        case .nationalTeam: 0
        case .public: 1
        case .academic: 2
        case .startup: 3
        case .industry: 4
        }
    }

    /// How many tiers there are.
    public static let count = 5

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }
}
