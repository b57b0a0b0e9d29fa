/// E-mail addresses: `local@domain.tld` — a local part of letters, digits and `._%+-` (no
/// leading, trailing or doubled dot), a domain of at least two dot-separated labels of letters,
/// digits and inner hyphens, and a top-level domain of two or more letters. A masked address
/// (`ho***@example.com`) is not one.
enum EmailRule {
    static func match(_ token: Token, in text: UnsafeBufferPointer<UInt32>) -> PIIEntity? {
        var at = -1
        for position in token.start..<token.end where text[position] == ScalarClass.at {
            guard at < 0 else { return nil }
            at = position
        }
        guard at > token.start, at < token.end - 1 else { return nil }
        // Local part.
        var previous: UInt32 = ScalarClass.dot
        for position in token.start..<at {
            let c = text[position]
            let allowed = ScalarClass.isASCIIAlphanumeric(c) || c == ScalarClass.dot || c == 0x5F || c == 0x25
                || c == ScalarClass.plus || c == ScalarClass.hyphen
            guard allowed, !(c == ScalarClass.dot && previous == ScalarClass.dot) else { return nil }
            previous = c
        }
        guard previous != ScalarClass.dot else { return nil }
        // Domain.
        var labels = 0
        var labelLength = 0
        var labelLetters = 0
        var labelStartsWithHyphen = false
        previous = 0
        for position in (at + 1)..<token.end {
            let c = text[position]
            if c == ScalarClass.dot {
                guard labelLength > 0, previous != ScalarClass.hyphen else { return nil }
                labels += 1
                labelLength = 0
                labelLetters = 0
            } else if ScalarClass.isASCIIAlphanumeric(c) || c == ScalarClass.hyphen {
                if labelLength == 0 { labelStartsWithHyphen = c == ScalarClass.hyphen }
                guard !labelStartsWithHyphen else { return nil }
                labelLength += 1
                if ScalarClass.isASCIILetter(c) { labelLetters += 1 }
            } else {
                return nil
            }
            previous = c
        }
        // The last label is the top-level domain: letters only, two or more.
        guard labels >= 1, labelLength >= 2, labelLetters == labelLength else { return nil }
        return PIIEntity(type: .email, start: token.start, end: token.end, confidence: 0.95, rule: "email.syntax")
    }
}
