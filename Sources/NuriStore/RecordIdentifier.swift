#if canImport(Glibc)
import Glibc
#endif

/// Random record ids and secrets in base62, from the system's cryptographic random source: the
/// one generator every store uses for its ids (`org_…`, `tok_…`, `cns_…`).
public enum RecordIdentifier {
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Whether `byte` is one of the 62 characters (ASCII digits and letters).
    public static func isBase62(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || byte &- 0x41 < 26 || byte &- 0x61 < 26
    }

    /// `count` characters, each uniformly one of 62 (about 5.95 bits each).
    public static func randomBase62(count: Int) -> String {
        String(decoding: randomBase62Bytes(count: count), as: UTF8.self)
    }

    /// `count` base62 characters as ASCII bytes.
    static func randomBase62Bytes(count: Int) -> [UInt8] {
        var characters: [UInt8] = []
        characters.reserveCapacity(count)
        while characters.count < count {
            // Rejection sampling: 248 = 4 × 62, so every character is equally likely. The bytes
            // come in one request to the kernel (a few spare for the rejected ones), not one each.
            let wanted = count - characters.count
            for byte in randomBytes(wanted + wanted / 16 + 8) where byte < 248 && characters.count < count {
                characters.append(alphabet[Int(byte % 62)])
            }
        }
        return characters
    }

    /// `count` bytes from the system's cryptographic random source, from glibc's `arc4random_buf`
    /// (a system call per buffer at most, where Swift's generator makes one per byte).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        #if canImport(Glibc)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { arc4random_buf(base, buffer.count) }
        }
        return bytes
        #else
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        return bytes
        #endif
    }

    /// A new record id such as `org_3fZ9…` (16 random characters, about 95 bits).
    public static func make(_ prefix: String) -> String {
        prefix + "_" + randomBase62(count: 16)
    }

    /// A record id that sorts by creation time: 8 characters of milliseconds since 1970, then
    /// 12 random ones (about 71 bits). For tables written in bulk: new keys go at the end of the
    /// index instead of on a random page each (which made every metered request rewrite pages).
    public static func makeTimeOrdered(_ prefix: String, milliseconds: Int) -> String {
        makeTimeOrdered(prefix, milliseconds: milliseconds, count: 1)[0]
    }

    /// `count` such ids for the same millisecond, from one request for random bytes.
    public static func makeTimeOrdered(_ prefix: String, milliseconds: Int, count: Int) -> [String] {
        var time = max(0, milliseconds)
        var head = Array(prefix.utf8) + [UInt8(ascii: "_")] + [UInt8](repeating: alphabet[0], count: 8)
        for index in head.indices.reversed().prefix(8) {
            head[index] = alphabet[time % 62]
            time /= 62
        }
        let random = randomBase62Bytes(count: 12 * count)
        return (0..<count).map { index in
            String(decoding: head + random[(12 * index)..<(12 * index + 12)], as: UTF8.self)
        }
    }
}
