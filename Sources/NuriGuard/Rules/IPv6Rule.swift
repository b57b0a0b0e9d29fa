/// IPv6 addresses: eight groups of 1–4 hex digits, or fewer around one `::`, optionally ending
/// in a dotted IPv4 address. A compressed address needs two explicit groups (`fe80::1`) or is
/// `::1`; clock times (`12:30:45`) and MAC addresses (six groups) never have the right count.
enum IPv6Rule {
    static func match(_ token: Token, in text: UnsafeBufferPointer<UInt32>) -> PIIEntity? {
        guard token.length >= 3, token.length <= 45 else { return nil }
        var groups = 0
        var compressed = false
        var groupLength = 0
        var groupHasDot = false
        var colonRun = 0
        var hasHexLetter = false
        for position in token.start..<token.end {
            let c = text[position]
            if c == ScalarClass.colon {
                if groupLength > 0 {
                    guard !groupHasDot, groupLength <= 4 else { return nil }
                    groups += 1
                }
                groupLength = 0
                colonRun += 1
                if colonRun == 2 {
                    guard !compressed else { return nil }
                    compressed = true
                } else if colonRun > 2 {
                    return nil
                }
            } else if ScalarClass.isHexDigit(c) || c == ScalarClass.dot {
                if colonRun == 1 && groups == 0 && position - 1 == token.start { return nil } // leading single ':'
                colonRun = 0
                if c == ScalarClass.dot { groupHasDot = true }
                if ScalarClass.isASCIILetter(c) { hasHexLetter = true }
                groupLength += 1
            } else {
                return nil
            }
        }
        if colonRun == 1 { return nil }  // trailing single ':'
        if groupLength > 0 {
            if groupHasDot {
                guard IPv4Rule.isDottedQuad(text, from: token.end - groupLength, to: token.end, firstMayBeZero: true) else { return nil }
                groups += 2
            } else {
                guard groupLength <= 4 else { return nil }
                groups += 1
            }
        }
        let valid = compressed ? groups <= 7 && (groups >= 2 || isLoopback(token, text)) : groups == 8
        guard valid, compressed || hasHexLetter || groups == 8 else { return nil }
        return PIIEntity(type: .ip, start: token.start, end: token.end, confidence: 0.9, rule: "ip.v6")
    }

    private static func isLoopback(_ token: Token, _ text: UnsafeBufferPointer<UInt32>) -> Bool {
        token.length == 3 && text[token.start] == ScalarClass.colon && text[token.start + 2] == 0x31
    }
}
