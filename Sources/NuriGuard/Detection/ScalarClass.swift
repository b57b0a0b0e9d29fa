/// Character classes over Unicode scalar values (`UInt32`), the unit the scanner works in.
/// Branch-light comparisons: the scanner calls these for every code point of every request.
enum ScalarClass {
    static let space: UInt32 = 0x20
    static let hyphen: UInt32 = 0x2D   // -
    static let dot: UInt32 = 0x2E      // .
    static let plus: UInt32 = 0x2B     // +
    static let colon: UInt32 = 0x3A    // :
    static let at: UInt32 = 0x40       // @
    static let comma: UInt32 = 0x2C    // ,
    static let openParen: UInt32 = 0x28
    static let closeParen: UInt32 = 0x29

    /// `0`…`9`.
    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c &- 0x30 < 10 }

    /// The value of a digit scalar.
    @inline(__always) static func digitValue(_ c: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: c &- 0x30) }

    /// `A`…`Z`, `a`…`z`.
    @inline(__always) static func isASCIILetter(_ c: UInt32) -> Bool { (c | 0x20) &- 0x61 < 26 }

    /// `A`…`Z`.
    @inline(__always) static func isASCIIUpper(_ c: UInt32) -> Bool { c &- 0x41 < 26 }

    /// Letters and digits of ASCII.
    @inline(__always) static func isASCIIAlphanumeric(_ c: UInt32) -> Bool { isDigit(c) || isASCIILetter(c) }

    /// `0-9a-fA-F`.
    @inline(__always) static func isHexDigit(_ c: UInt32) -> Bool { isDigit(c) || (c | 0x20) &- 0x61 < 6 }

    /// A precomposed Hangul syllable, 가 (U+AC00) … 힣 (U+D7A3).
    @inline(__always) static func isHangulSyllable(_ c: UInt32) -> Bool { c &- 0xAC00 < 11172 }

    /// ASCII lower case for letters, anything else unchanged.
    @inline(__always) static func lowercased(_ c: UInt32) -> UInt32 { c &- 0x41 < 26 ? c | 0x20 : c }

    /// White space that separates words: ASCII blanks, NBSP, the ideographic space, line breaks.
    @inline(__always) static func isSpace(_ c: UInt32) -> Bool {
        if c <= 0x20 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        return c == 0xA0 || c == 0x3000 || c == 0x2028 || c == 0x2029 || (c >= 0x2000 && c <= 0x200A)
    }

    /// Scalars that may continue an ASCII token: letters, digits and the punctuation found inside
    /// identifiers, numbers, e-mail and IP addresses (`. - _ @ + % * :`). `/ ? = & #` end a token
    /// so that values inside URLs are seen on their own.
    @inline(__always) static func isASCIITokenScalar(_ c: UInt32) -> Bool {
        if isASCIIAlphanumeric(c) { return true }
        switch c {
        case 0x2E, 0x2D, 0x5F, 0x40, 0x2B, 0x25, 0x2A, 0x3A: return true
        default: return false
        }
    }

    /// A text of scalars as a `String`, for error messages and tests.
    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == UInt32 {
        var view = String.UnicodeScalarView()
        for value in scalars { view.append(Unicode.Scalar(value) ?? "\u{FFFD}") }
        return String(view)
    }

    /// The scalars of a string.
    static func scalars(_ string: String) -> [UInt32] { string.unicodeScalars.map(\.value) }
}
