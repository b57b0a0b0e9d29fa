/// GPT-2's reversible map between bytes and printable characters.
///
/// Byte-level BPE vocabularies store tokens as text in which every byte is one character: the
/// printable bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for themselves and the other 68 (space,
/// control bytes…) for U+0100 onwards, in byte order. So a space is `Ġ` and a newline `Ċ`.
enum ByteLevelEncoding {
    /// The code point standing for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each stand-in code point means, for code points below 512 (-1 if none).
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 512)
        for byte in 0..<256 {
            table[Int(scalarForByte[byte])] = Int16(byte)
        }
        return table
    }()

    /// The UTF-8 of each byte's stand-in, one or two bytes packed little-endian with the count
    /// in the top byte, so encoding a word needs no lookup beyond this table.
    static let utf8ForByte: [UInt32] = scalarForByte.map { scalar in
        var bytes: [UInt8] = []
        CodepointDecoding.appendUTF8(scalar, to: &bytes)
        var packed = UInt32(bytes.count) << 24
        for (index, byte) in bytes.enumerated() { packed |= UInt32(byte) << (8 * UInt32(index)) }
        return packed
    }

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The bytes a token's text stands for, as llama.cpp decodes it: each character back to its
    /// byte; a character that stands for no byte becomes `[UNK_BYTE_0x…]` followed by the whole
    /// token text, llama.cpp's marker for a vocabulary that is not byte-level.
    static func decode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 512, case let byte = byteForScalar[Int(value)], byte >= 0 {
                output.append(UInt8(byte))
            } else {
                var utf8: [UInt8] = []
                CodepointDecoding.appendUTF8(value, to: &utf8)
                output.append(contentsOf: Array("[UNK_BYTE_0x".utf8))
                for byte in utf8 {
                    output.append(hexDigit(byte >> 4, uppercase: false))
                    output.append(hexDigit(byte & 0xF, uppercase: false))
                }
                output.append(contentsOf: Array(text.utf8))
                output.append(UInt8(ascii: "]"))
            }
        }
        return output
    }
}

/// An ASCII hex digit for a value 0…15.
@inline(__always)
func hexDigit(_ value: UInt8, uppercase: Bool) -> UInt8 {
    value < 10 ? 0x30 + value : (uppercase ? 0x41 : 0x61) + value - 10
}
