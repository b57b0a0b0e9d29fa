/// The part of society an organisation belongs to. Sector rules decide, for example, which hub
/// repositories an organisation may see.
public enum Sector: String, Sendable, Codable, CaseIterable {
    /// Government and public agencies.
    case `public`
    /// Companies.
    case `private`
    /// Universities and research institutes.
    case academic
    /// Startups.
    case startup

    /// Parses a sector as a user types it, with an error listing the valid ones.
    public static func parse(_ text: String) throws(IdentityError) -> Sector {
        guard let sector = Sector(rawValue: text.lowercased()) else {
            throw .invalidInput(param: "sector", message: "unknown sector '\(text)'; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return sector
    }
}
