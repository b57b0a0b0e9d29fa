/// Text to Unicode scalar values, decoded straight from the string's UTF-8 (faster than walking
/// `unicodeScalars` one by one). A Swift `String` holds valid UTF-8, so no error paths are needed;
/// a malformed sequence would still decode to something in range, never trap.
enum UTF8Decoding {
    static func scalars(of text: String) -> [UInt32] {
        var text = text
        return text.withUTF8 { utf8 in
            [UInt32](unsafeUninitializedCapacity: utf8.count) { buffer, initialized in
                var index = 0, count = 0
                let end = utf8.count
                while index < end {
                    let lead = UInt32(utf8[index])
                    var value: UInt32
                    if lead < 0x80 {
                        value = lead
                        index += 1
                    } else if lead < 0xE0, index + 1 < end {
                        value = (lead & 0x1F) << 6 | UInt32(utf8[index + 1] & 0x3F)
                        index += 2
                    } else if lead < 0xF0, index + 2 < end {
                        value = (lead & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F)
                        index += 3
                    } else if index + 3 < end {
                        value = (lead & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12
                            | UInt32(utf8[index + 2] & 0x3F) << 6 | UInt32(utf8[index + 3] & 0x3F)
                        index += 4
                    } else {
                        value = 0xFFFD
                        index = end
                    }
                    buffer[count] = value
                    count += 1
                }
                initialized = count
            }
        }
    }
}
