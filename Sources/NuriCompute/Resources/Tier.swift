/// A project's tier: who the centre serves first. The order is the default priority order
/// (national teams first); the policy gives each tier its weight, QOS and preemption rights.
public enum Tier: String, CaseIterable, Codable, Sendable, Comparable {
    case nationalTeam = "national_team"
    case `public` = "public"
    case academic
    case startup
    case industry

    /// 0 for the first-served tier.
    public var rank: Int { Tier.allCases.firstIndex(of: self)! }

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }
}
