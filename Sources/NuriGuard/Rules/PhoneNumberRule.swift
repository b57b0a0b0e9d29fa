/// Korean telephone numbers of people:
///
/// - mobile `010-NNNN-NNNN`, the older `011`, `016`–`019` with a 3- or 4-digit exchange;
/// - `+82` followed by the national number without its 0 (`+82 10-1234-5678`, `+821012345678`);
/// - landlines by area code (02; 031–033, 041–044, 051–055, 061–064) with an exchange that
///   does not start with 0, also written `(02) 123-4567` or `02)123-4567`;
/// - `070` internet telephones.
///
/// Company numbers are not personal: the nationwide `15xx`/`16xx`/`18xx` numbers have no area
/// code and never match; `080` (free call), `060` (paid) and `050x` (relay) are refused, as is any
/// number right after a word such as 대표번호 or 고객센터.
enum PhoneNumberRule {
    static func match(_ run: DigitRun, label: PIIEntityType?, in context: ScanContext) -> PIIEntity? {
        if run.digits.count <= 8, !run.hasPlus {
            return parenthesised(run, in: context)
        }
        guard run.digits.count <= 13 else { return nil }
        if run.hasPlus {
            return international(run)
        }
        guard run.separator != DigitRun.mixed else { return nil }
        return domestic(run.digits, groups: run.groups, start: run.start, end: run.end, labelled: label == .phone)
    }

    /// `+82 10 1234 5678`, `+82-2-123-4567`, `+82 010-1234-5678` (a redundant 0 is tolerated).
    private static func international(_ run: DigitRun) -> PIIEntity? {
        let digits = run.digits
        guard digits.count >= 10, digits[0] == 8, digits[1] == 2 else { return nil }
        var national = Digits()
        national.append(0)
        for digit in digits[2...].drop(while: { $0 == 0 }) { national.append(digit) }
        guard kind(of: national) != nil else { return nil }
        return PIIEntity(type: .phone, start: run.start, end: run.end, confidence: 0.95, rule: "phone.intl")
    }

    enum Kind { case mobile, internet, landline }

    /// What the national number (with its leading 0) is, if it is one a person would hold.
    static func kind(of digits: Digits) -> Kind? {
        guard digits.count >= 9, digits[0] == 0 else { return nil }
        let areaLength = areaCodeLength(digits)
        guard areaLength > 0 else { return nil }
        let subscriber = digits.count - areaLength
        if digits[1] == 1 {
            let newStyle = digits[2] == 0
            if newStyle { return subscriber == 8 ? .mobile : nil }
            return subscriber == 7 || subscriber == 8 ? .mobile : nil
        }
        if digits[1] == 7 { return subscriber == 8 ? .internet : nil }
        guard subscriber == 7 || subscriber == 8 else { return nil }
        // Exchanges never start with 0 (that would be another area code).
        return digits[areaLength] != 0 ? .landline : nil
    }

    /// The length of the prefix (0 when it is not a personal prefix).
    static func areaCodeLength(_ digits: Digits) -> Int {
        guard digits.count >= 2, digits[0] == 0 else { return 0 }
        let second = digits[1]
        if second == 2 { return 2 }                                                     // 02 Seoul
        guard digits.count >= 3 else { return 0 }
        let third = digits[2]
        switch second {
        case 1: return third == 0 || third == 1 || (6...9).contains(third) ? 3 : 0     // 010, 011, 016–019
        case 3: return (1...3).contains(third) ? 3 : 0                                  // 031–033
        case 4: return (1...4).contains(third) ? 3 : 0                                  // 041–044
        case 5: return (1...5).contains(third) ? 3 : 0                                  // 051–055 (not 050x)
        case 6: return (1...4).contains(third) ? 3 : 0                                  // 061–064 (not 060)
        case 7: return third == 0 ? 3 : 0                                               // 070
        default: return 0                                                               // 080 and others
        }
    }

    private static func domestic(_ digits: Digits, groups: DigitGroups, start: Int, end: Int, labelled: Bool) -> PIIEntity? {
        guard let kind = kind(of: digits) else { return nil }
        let area = areaCodeLength(digits)
        if groups.count != 1 {
            guard groups.count == 3, groups[0] == area, (3...4).contains(groups[1]), groups[2] == 4 else { return nil }
        }
        switch kind {
        case .mobile: return PIIEntity(type: .phone, start: start, end: end, confidence: 0.95, rule: "phone.mobile")
        case .internet: return PIIEntity(type: .phone, start: start, end: end, confidence: labelled ? 0.9 : 0.8, rule: "phone.internet")
        case .landline: return PIIEntity(type: .phone, start: start, end: end, confidence: labelled ? 0.9 : 0.85, rule: "phone.landline")
        }
    }

    /// `(02) 123-4567`, `(031)123-4567`, `02)123-4567`: the area code is a separate token.
    private static func parenthesised(_ run: DigitRun, in context: ScanContext) -> PIIEntity? {
        guard run.groups.count == 2, (3...4).contains(run.groups[0]), run.groups[1] == 4,
              run.separator == ScalarClass.hyphen else { return nil }
        let tokens = context.tokens
        var index = run.firstToken - 1
        guard index >= 1, tokens[index].kind == .symbol, context.text[tokens[index].start] == ScalarClass.closeParen else { return nil }
        index -= 1
        let area = tokens[index]
        guard area.kind == .ascii, area.isNumeric, area.digits == area.length, (2...3).contains(area.length) else { return nil }
        var digits = Digits()
        for position in area.start..<area.end { digits.append(ScalarClass.digitValue(context.text[position])) }
        guard areaCodeLength(digits) == area.length, digits[1] != 1 else { return nil }
        var start = area.start
        if index >= 1, tokens[index - 1].kind == .symbol, context.text[tokens[index - 1].start] == ScalarClass.openParen {
            start = tokens[index - 1].start
        }
        for digit in run.digits { digits.append(digit) }
        guard kind(of: digits) != nil else { return nil }
        return PIIEntity(type: .phone, start: start, end: run.end, confidence: 0.85, rule: "phone.landline")
    }
}
