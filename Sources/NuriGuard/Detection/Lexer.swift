/// The one pass over the text: cuts it into tokens (Hangul words, ASCII words, single symbols)
/// and, in the same loop, records every context term (`CueHit`) that starts inside a Hangul word
/// or at an ASCII word start. Everything later works on these two arrays and reads the scalars
/// only around candidates.
enum Lexer {
    static func lex(
        _ text: UnsafeBufferPointer<UInt32>,
        terms: TermDictionary,
        tokens: inout [Token],
        hits: inout [CueHit]
    ) {
        let count = text.count
        var index = 0
        var sawSpace = true
        // Terms do not overlap: after a match, positions inside it are not tried again, so
        // 법인등록번호 is one label, not also 등록번호.
        var coveredUntil = 0

        while index < count {
            let c = text[index]
            if ScalarClass.isSpace(c) {
                sawSpace = true
                index += 1
                continue
            }
            if ScalarClass.isHangulSyllable(c) {
                let start = index
                while index < count, ScalarClass.isHangulSyllable(text[index]) {
                    if index >= coveredUntil, terms.mayStart(in: text, at: index),
                       let match = terms.longestMatch(in: text, at: index) {
                        hits.append(CueHit(start: index, end: index + match.length, cue: match.cue))
                        coveredUntil = index + match.length
                    }
                    index += 1
                }
                tokens.append(Token(kind: .hangul, start: start, end: index, spaceBefore: sawSpace))
            } else if ScalarClass.isASCIITokenScalar(c) {
                let start = index
                // A colon stays inside the token only while the token could be an IPv6 address
                // (hex digits, colons, dots); `Tel:010-…` splits at its colon.
                var hexLike = true
                while index < count {
                    let s = text[index]
                    if s == ScalarClass.colon {
                        if !hexLike { break }
                    } else if !ScalarClass.isASCIITokenScalar(s) {
                        break
                    } else if !(ScalarClass.isHexDigit(s) || s == ScalarClass.dot) {
                        hexLike = false
                    }
                    if ScalarClass.isASCIILetter(s), index >= coveredUntil,
                       index == start || !ScalarClass.isASCIIAlphanumeric(text[index - 1]),
                       terms.mayStart(in: text, at: index), let match = terms.longestMatch(in: text, at: index) {
                        hits.append(CueHit(start: index, end: index + match.length, cue: match.cue))
                        coveredUntil = index + match.length
                    }
                    index += 1
                }
                if index == start {
                    // A lone colon after a non-hex word: a symbol.
                    tokens.append(Token(kind: .symbol, start: index, end: index + 1, spaceBefore: sawSpace))
                    index += 1
                } else {
                    appendASCII(text, start: start, end: index, spaceBefore: sawSpace, into: &tokens)
                }
            } else {
                tokens.append(Token(kind: .symbol, start: index, end: index + 1, spaceBefore: sawSpace))
                index += 1
            }
            sawSpace = false
        }
    }

    /// Adds an ASCII token without the punctuation that cannot end or start a value (the period
    /// closing a sentence, a trailing hyphen or colon), and classifies it.
    private static func appendASCII(
        _ text: UnsafeBufferPointer<UInt32>, start: Int, end: Int, spaceBefore: Bool, into tokens: inout [Token]
    ) {
        var lower = start, upper = end
        // `::` may start or end an IPv6 address (`::1`, `fe80::`); a single colon is punctuation.
        while lower < upper, isTrimmable(text[lower]),
              !(upper - lower >= 3 && text[lower] == ScalarClass.colon && text[lower + 1] == ScalarClass.colon) { lower += 1 }
        while upper > lower, isTrimmable(text[upper - 1]) || text[upper - 1] == ScalarClass.plus,
              !(upper - lower >= 3 && text[upper - 1] == ScalarClass.colon && text[upper - 2] == ScalarClass.colon) { upper -= 1 }
        guard lower < upper else { return }
        var token = Token(kind: .ascii, start: lower, end: upper, spaceBefore: spaceBefore || lower > start)
        var digits = 0, letters = 0
        // Numeric: `+`? digit+ ([-.] digit+)*
        var numeric = true
        var previousWasSeparator = true
        for position in lower..<upper {
            let s = text[position]
            if ScalarClass.isDigit(s) {
                digits += 1
                previousWasSeparator = false
            } else {
                if ScalarClass.isASCIILetter(s) { letters += 1 }
                if s == ScalarClass.plus && position == lower {
                    continue
                } else if (s == ScalarClass.hyphen || s == ScalarClass.dot) && !previousWasSeparator {
                    previousWasSeparator = true
                } else {
                    numeric = false
                }
            }
        }
        token.digits = digits
        token.letters = letters
        token.isNumeric = numeric && digits > 0 && !previousWasSeparator
        tokens.append(token)
    }

    @inline(__always) private static func isTrimmable(_ c: UInt32) -> Bool {
        c == ScalarClass.dot || c == ScalarClass.hyphen || c == ScalarClass.colon || c == 0x5F || c == ScalarClass.at
    }
}
