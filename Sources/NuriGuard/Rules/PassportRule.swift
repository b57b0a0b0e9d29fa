/// Korean passport numbers: a type letter (M multiple, S single, R residence, O official,
/// D diplomatic) and either eight digits (before December 2021) or three digits, a letter and
/// four digits (since). The new layout is distinctive enough alone; the old one, which any
/// product code could have, needs a label such as 여권 or passport before it.
enum PassportRule {
    static func match(_ token: Token, label: PIIEntityType?, passportNearby: Bool, in text: UnsafeBufferPointer<UInt32>) -> PIIEntity? {
        guard token.length == 9 else { return nil }
        let first = text[token.start]
        guard first == 0x4D || first == 0x53 || first == 0x52 || first == 0x4F || first == 0x44 else { return nil } // M S R O D
        func isDigit(_ offset: Int) -> Bool { ScalarClass.isDigit(text[token.start + offset]) }
        let old = (1...8).allSatisfy(isDigit)
        let new = (1...3).allSatisfy(isDigit) && ScalarClass.isASCIIUpper(text[token.start + 4]) && (5...8).allSatisfy(isDigit)
        let labelled = label == .passport || passportNearby
        if new {
            return PIIEntity(type: .passport, start: token.start, end: token.end, confidence: labelled ? 0.95 : 0.85, rule: "passport.new")
        }
        if old && labelled {
            return PIIEntity(type: .passport, start: token.start, end: token.end, confidence: 0.9, rule: "passport.context")
        }
        return nil
    }
}
