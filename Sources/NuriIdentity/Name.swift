/// The rules for organisation and user names. Both share one namespace, because a hub repository
/// is named `owner/name` whatever kind of owner it has.
public enum Name {
    /// Longest accepted name, in characters.
    public static let maximumLength = 64

    /// Checks a name: 1–64 characters of ASCII letters, digits, `-`, `_` and `.`, starting with
    /// a letter or digit, not ending in `.`, without `..`.
    public static func validate(_ name: String, kind: String) throws(IdentityError) {
        let scalars = Array(name.unicodeScalars)
        let allowed = scalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
        }
        let startsWell = scalars.first.map { s in ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) } ?? false
        guard !scalars.isEmpty, scalars.count <= maximumLength, allowed, startsWell,
              !name.hasSuffix("."), !name.contains("..")
        else {
            throw .invalidInput(
                param: "name",
                message: "invalid \(kind) name '\(name.prefix(80))': use 1–\(maximumLength) ASCII letters, digits, '-', '_' or '.', starting with a letter or digit"
            )
        }
    }
}
