/// Payment cards: 14–19 digits, contiguous or in the printed groups (4-4-4-4, 4-4-4-4-3, 4-6-5,
/// 4-6-4), passing Luhn and starting with a known issuer prefix of the right length.
enum CardNumberRule {
    static func match(_ run: DigitRun, label: PIIEntityType?) -> PIIEntity? {
        let digits = run.digits
        guard (14...19).contains(digits.count), !run.hasPlus else { return nil }
        let grouped: Bool
        if run.isContiguous {
            grouped = false
        } else if run.separator == ScalarClass.hyphen || run.separator == ScalarClass.space,
                  run.hasGroups(4, 4, 4, 4) || run.hasGroups(4, 4, 4, 4, 3) || run.hasGroups(4, 6, 5) || run.hasGroups(4, 6, 4) {
            grouped = true
        } else {
            return nil
        }
        guard Luhn.isValid(digits), CardIssuer.isKnown(digits) else { return nil }
        let confidence = grouped || label == .card ? 0.95 : 0.85
        return PIIEntity(type: .card, start: run.start, end: run.end, confidence: confidence, rule: "card.luhn")
    }
}
