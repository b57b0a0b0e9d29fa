/// What a caller may do with one repository, each level including the ones below it.
public enum AccessLevel: Int, Sendable, Comparable {
    /// Not even know it exists: every answer is "repository not found".
    case none
    /// See its card, files list and history, but not fetch files (a gated repository).
    case metadata
    /// Fetch its files.
    case read
    /// Push commits (the owner's members with a `write` token).
    case write
    /// Change visibility, invite organisations, decide access requests (the owner's admins, operators).
    case admin

    public static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
