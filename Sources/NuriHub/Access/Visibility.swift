import NuriIdentity

/// Who may see a repository and fetch its files.
///
/// | visibility | list and info | download |
/// |---|---|---|
/// | `public` | anyone, anonymous too | anyone |
/// | `registered` | any signed-in user | same |
/// | `sectors` | members of an organisation in one of the listed sectors | same |
/// | `gated` | anyone (the card is the shop window) | the owner's members and users whose access request was approved |
/// | `private` | the owner's members and invited organisations | same |
///
/// Operators see everything. A caller who may not see a repository gets "not found", never
/// "forbidden", so its existence does not leak.
public enum Visibility: String, Sendable, Codable, CaseIterable {
    case `public`
    case registered
    case sectors
    case gated
    case `private`

    public static func parse(_ text: String) throws(HubError) -> Visibility {
        guard let value = Visibility(rawValue: text.lowercased()) else {
            throw .invalidInput(param: "visibility", message: "unknown visibility '\(text.prefix(40))'; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
