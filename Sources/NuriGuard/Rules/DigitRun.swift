/// A number candidate: one numeric token (`010-1234-5678`, `9001011234567`, `192.168.0.1`), or a
/// few all-digit tokens joined by single spaces (`4111 1111 1111 1111`, `+82 10 1234 5678`).
struct DigitRun: Sendable, Equatable {
    /// Scalar offsets of the whole run, end exclusive.
    var start: Int
    var end: Int
    /// The digits, without separators.
    var digits: Digits
    /// The length of each digit group, in order.
    var groups: DigitGroups
    /// The one separator between groups: `-`, `.`, space, `none` (a single group) or `mixed`.
    var separator: UInt32
    /// Whether the run starts with `+` (an international phone number).
    var hasPlus: Bool
    /// The tokens the run covers.
    var firstToken: Int
    var tokenCount: Int

    static let none: UInt32 = 0
    static let mixed: UInt32 = 1

    /// Whether the groups have exactly these lengths.
    func hasGroups(_ lengths: Int...) -> Bool { groups.elementsEqual(lengths) }

    var isContiguous: Bool { groups.count == 1 }
    var isHyphenated: Bool { separator == ScalarClass.hyphen }

    /// The digits as an integer (up to 18 digits), for range checks.
    func value(from lower: Int, count: Int) -> Int { digits.value(from: lower, count: count) }

    /// Builds the run over `tokens[first..<first+count]`, which the caller checked are numeric and
    /// joined by single spaces.
    init(text: UnsafeBufferPointer<UInt32>, tokens: [Token], first: Int, count: Int) {
        start = tokens[first].start
        end = tokens[first + count - 1].end
        digits = Digits()
        groups = DigitGroups()
        separator = DigitRun.none
        hasPlus = false
        firstToken = first
        tokenCount = count
        var groupLength = 0
        func noteSeparator(_ s: UInt32) {
            if separator == DigitRun.none { separator = s } else if separator != s { separator = DigitRun.mixed }
        }
        for index in first..<(first + count) {
            let token = tokens[index]
            if index > first {
                if groupLength > 0 { groups.append(groupLength) }
                groupLength = 0
                noteSeparator(ScalarClass.space)
            }
            for position in token.start..<token.end {
                let s = text[position]
                if ScalarClass.isDigit(s) {
                    digits.append(ScalarClass.digitValue(s))
                    groupLength += 1
                } else if s == ScalarClass.plus {
                    if position == start { hasPlus = true }
                } else {
                    if groupLength > 0 { groups.append(groupLength) }
                    groupLength = 0
                    noteSeparator(s)
                }
            }
        }
        if groupLength > 0 { groups.append(groupLength) }
    }
}
