import NuriStore
import Crypto

/// An API token's secret: `nuri_` followed by 43 base62 characters drawn from the system's
/// cryptographic random source (43 × log2(62) ≈ 256 bits).
///
/// Only its SHA-256 hash is stored, with the first ``prefixLength`` characters in clear so a
/// presented token can be found with one indexed lookup and then compared, in constant time,
/// against the stored hash.
public struct TokenSecret: Sendable, Equatable, CustomStringConvertible {
    /// What every Nuri token starts with, so secret scanners and people can recognise one.
    public static let marker = "nuri_"
    /// Random characters after the marker.
    public static let randomLength = 43
    /// Characters kept in clear for lookup: the marker and 8 random characters.
    public static let prefixLength = marker.count + 8

    /// The whole token, as the user presents it. Shown once, never stored.
    public let value: String

    /// Makes a new random token.
    public static func generate() -> TokenSecret {
        TokenSecret(value: marker + RecordIdentifier.randomBase62(count: randomLength))
    }

    /// Wraps a token a caller presented, if it has the shape of a Nuri token.
    public init?(presented text: String) {
        let utf8 = text.utf8
        guard utf8.count == Self.marker.utf8.count + Self.randomLength, utf8.starts(with: Self.marker.utf8),
              utf8.dropFirst(Self.marker.utf8.count).allSatisfy(RecordIdentifier.isBase62)
        else { return nil }
        self.value = text
    }

    private init(value: String) {
        self.value = value
    }

    /// The part stored in clear and shown in listings.
    public var prefix: String { String(value.prefix(Self.prefixLength)) }

    /// SHA-256 of the token, hex-encoded: what the database stores.
    public var hash: String {
        var text = value
        return text.withUTF8 { Hex.string(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// Compares this token's hash with a stored one without an early exit, so the time taken
    /// does not tell how many leading characters matched.
    public func matches(storedHash: String) -> Bool {
        let a = Array(hash.utf8), b = Array(storedHash.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Never prints the secret: only its prefix.
    public var description: String { "\(prefix)…" }
}
