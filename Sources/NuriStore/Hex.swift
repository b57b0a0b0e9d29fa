/// Lower-case hexadecimal text of bytes (digests, keyed hashes, token hashes): the one encoder
/// every module uses.
///
/// Inlinable, so that each caller gets a copy made for its kind of bytes (a digest is hashed
/// into hex on every authenticated request).
public enum Hex {
    @inlinable
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte & 15))
        }
        return String(decoding: text, as: UTF8.self)
    }

    @inlinable
    static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }
}
