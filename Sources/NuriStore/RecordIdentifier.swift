/// Random record ids and secrets in base62, from the system's cryptographic random source: the
/// one generator every store uses for its ids (`org_…`, `tok_…`, `cns_…`).
public enum RecordIdentifier {
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` characters, each uniformly one of 62 (about 5.95 bits each).
    public static func randomBase62(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = []
        characters.reserveCapacity(count)
        while characters.count < count {
            // Rejection sampling: 248 = 4 × 62, so every character is equally likely.
            let byte = UInt8.random(in: 0...255, using: &generator)
            if byte < 248 { characters.append(alphabet[Int(byte % 62)]) }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// A new record id such as `org_3fZ9…` (16 random characters, about 95 bits).
    public static func make(_ prefix: String) -> String {
        prefix + "_" + randomBase62(count: 16)
    }
}
