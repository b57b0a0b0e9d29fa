import Foundation

/// How long a new token lives, as a user writes it: `30d`, `12h`, `90m`, `2w`, `1y`, or `never`.
public enum TokenLifetime {
    /// Seconds until expiry, or nil for a token that never expires.
    public static func parse(_ text: String) throws(IdentityError) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "never" { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800, "y": 31_536_000]
        guard let unit = trimmed.last, let seconds = units[unit],
              let count = Int(trimmed.dropLast()), count > 0, count <= 100 * 365 * 86_400 / seconds
        else {
            throw .invalidInput(param: "expires", message: "cannot read expiry '\(text)': write a positive number and a unit (s, m, h, d, w, y), e.g. 30d, or 'never'")
        }
        return count * seconds
    }
}
