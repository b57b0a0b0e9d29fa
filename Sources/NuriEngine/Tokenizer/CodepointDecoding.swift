/// UTF-8 to code points the way llama.cpp decodes text before pre-tokenizing and the way it
/// encodes them back, so words are cut at the same places even in malformed input.
///
/// Swift strings are always valid UTF-8, but the fragments between special tokens are byte
/// ranges, so the decoder accepts anything: a byte that does not start a complete sequence
/// becomes U+FFFD and decoding resumes at the next byte (llama.cpp does the same).
enum CodepointDecoding {
    /// Appends the code points of `bytes` to `output`.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt32]) {
        let count = bytes.count
        var offset = 0
        while offset < count {
            let lead = UInt32(bytes[offset])
            if lead & 0x80 == 0 {
                output.append(lead)
                offset += 1
                continue
            }
            var length = 0
            var value: UInt32 = 0
            if lead & 0x40 == 0 {
                length = 0  // a continuation byte cannot start a sequence
            } else if lead & 0x20 == 0 {
                length = 2; value = lead & 0x1F
            } else if lead & 0x10 == 0 {
                length = 3; value = lead & 0x0F
            } else if lead & 0x08 == 0 {
                length = 4; value = lead & 0x07
            }
            // llama.cpp checks only that the continuation bytes are there and look like
            // continuations (no overlong or surrogate checks); so does this.
            var valid = length > 0 && offset + length <= count
            if valid {
                for index in 1..<length {
                    let byte = UInt32(bytes[offset + index])
                    if byte & 0xC0 != 0x80 { valid = false; break }
                    value = value << 6 | (byte & 0x3F)
                }
            }
            if valid {
                output.append(value)
                offset += length
            } else {
                output.append(0xFFFD)
                offset += 1
            }
        }
    }

    /// Appends the UTF-8 of one code point. Values past U+10FFFF (which only malformed input can
    /// produce) are written as U+FFFD, where llama.cpp would throw.
    @inline(__always)
    static func appendUTF8(_ codepoint: UInt32, to output: inout [UInt8]) {
        forEachUTF8Byte(of: codepoint) { output.append($0) }
    }

    /// Calls `body` with each byte of the UTF-8 of one code point (U+FFFD past U+10FFFF), with
    /// no buffer in between: byte-level BPE encodes every word this way.
    @inline(__always)
    static func forEachUTF8Byte(of codepoint: UInt32, _ body: (UInt8) -> Void) {
        switch codepoint {
        case 0..<0x80:
            body(UInt8(codepoint))
        case 0x80..<0x800:
            body(UInt8(0xC0 | (codepoint >> 6)))
            body(UInt8(0x80 | (codepoint & 0x3F)))
        case 0x800..<0x10000:
            body(UInt8(0xE0 | (codepoint >> 12)))
            body(UInt8(0x80 | ((codepoint >> 6) & 0x3F)))
            body(UInt8(0x80 | (codepoint & 0x3F)))
        case 0x10000..<0x110000:
            body(UInt8(0xF0 | (codepoint >> 18)))
            body(UInt8(0x80 | ((codepoint >> 12) & 0x3F)))
            body(UInt8(0x80 | ((codepoint >> 6) & 0x3F)))
            body(UInt8(0x80 | (codepoint & 0x3F)))
        default:
            body(0xEF); body(0xBF); body(0xBD)
        }
    }

    /// The length of the UTF-8 sequence a lead byte announces, from its high nibble alone, as
    /// llama.cpp's SentencePiece splitter counts (continuation bytes count as 1).
    @inline(__always)
    static func sequenceLength(lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: 2
        case 0xE: 3
        case 0xF: 4
        default: 1
        }
    }
}
