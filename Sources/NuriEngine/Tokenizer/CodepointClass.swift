/// How llama.cpp's pre-tokenizers see one code point: its Unicode general category, grouped as
/// the regex classes `\p{N}`, `\p{L}`, `\p{P}`… group them, and whether it counts as `\s`.
///
/// The categories are those of Unicode 15.1.0, the version llama.cpp b11312's tables were made
/// from, rather than the running Swift's Unicode version: a newer toolchain assigning new
/// characters must not change how text is split. The whitespace set is llama.cpp's own list.
struct CodepointClass: Equatable {
    let rawValue: UInt8

    // Low nibble: the category. Bit 7: whitespace. 0x08 alone: outside the scanned text.
    static let undefined: UInt8 = 0
    static let number: UInt8 = 1
    static let letter: UInt8 = 2
    static let separator: UInt8 = 3
    static let mark: UInt8 = 4
    static let punctuation: UInt8 = 5
    static let symbol: UInt8 = 6
    static let control: UInt8 = 7

    /// The class of a position past the end of the text being scanned: no category and not
    /// whitespace. llama.cpp's scanners read "no flags" there, which stops every run.
    static let outside = CodepointClass(rawValue: 0x08)

    var isNumber: Bool { rawValue & 0x0F == Self.number }
    var isLetter: Bool { rawValue & 0x0F == Self.letter }
    var isPunctuation: Bool { rawValue & 0x0F == Self.punctuation }
    var isWhitespace: Bool { rawValue & 0x80 != 0 }
    var isOutside: Bool { rawValue == Self.outside.rawValue }
    /// Neither whitespace, letter nor number, and inside the text: what `[^\s\p{L}\p{N}]` matches.
    var isOther: Bool { !isWhitespace && !isLetter && !isNumber && !isOutside }

    /// The class of any code point (values past U+10FFFF are undefined, as in llama.cpp).
    @inline(__always)
    static func of(_ codepoint: UInt32) -> CodepointClass {
        codepoint < 0x110000 ? CodepointClass(rawValue: table[Int(codepoint)]) : CodepointClass(rawValue: undefined)
    }

    /// One byte per code point, expanded once from ``runs`` (1.1 MB) so that a lookup is a load.
    /// A raw buffer that is never freed: it is written once, before publication by the lazy
    /// static initialiser, and only read afterwards, so sharing it across threads is safe.
    nonisolated(unsafe) static let table: UnsafeBufferPointer<UInt8> = {
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 0x110000)
        let runs = Self.runs
        for index in runs.indices {
            let start = Int(runs[index] >> 8)
            let end = index + 1 < runs.count ? Int(runs[index + 1] >> 8) : 0x110000
            let value = UInt8(truncatingIfNeeded: runs[index])
            buffer[start..<end].update(repeating: value)
        }
        return UnsafeBufferPointer(buffer)
    }()
}
