/// The 13-digit registration numbers — RRN (주민등록번호), ARN (외국인등록번호) and CRN
/// (법인등록번호) — which share the shape `NNNNNN-NNNNNNN` and are told apart here, in one place:
///
/// - a label before the number (법인등록번호, 주민번호, 외국인등록번호) decides the family;
/// - a valid birth date with a passed pre-2020 checksum is an RRN or ARN (by the 7th digit);
/// - a passed CRN checksum with no valid birth date (or a 7th digit of 0/9, a birth in the
///   1800s, which would have a valid RRN checksum) is a CRN, never an RRN;
/// - a valid date and 7th digit with a hyphen (or a label) is an RRN/ARN issued since October
///   2020, whose tail is random;
/// - without a hyphen, a number needs its checksum or a label, and a valid Korean EAN-13
///   barcode (880…) without a label is a barcode.
enum RegistrationNumberRule {
    static func match(_ run: DigitRun, label: PIIEntityType?) -> PIIEntity? {
        let digits = run.digits
        guard digits.count == 13 else { return nil }
        let hyphenated: Bool
        if run.hasGroups(6, 7), run.separator == ScalarClass.hyphen {
            hyphenated = true
        } else if run.isContiguous || (run.hasGroups(6, 7) && run.separator == ScalarClass.space && label != nil) {
            hyphenated = false
        } else {
            return nil
        }
        guard !run.hasPlus else { return nil }
        let crnValid = CorporateNumber.hasValidChecksum(digits)
        func entity(_ type: PIIEntityType, _ confidence: Double, _ rule: String) -> PIIEntity {
            PIIEntity(type: type, start: run.start, end: run.end, confidence: confidence, rule: rule)
        }

        if label == .crn {
            return crnValid ? entity(.crn, 0.95, "crn.context") : nil
        }
        let labelled = label == .rrn || label == .arn
        if !hyphenated && !labelled && digits[0] == 8 && digits[1] == 8 && digits[2] == 0 && EAN13.isValid(digits) {
            return nil
        }
        guard let holder = ResidentNumber.holder(seventhDigit: digits[6]) else { return nil }
        let dateValid = ResidentNumber.hasValidBirthDate(digits)

        switch holder {
        case .citizen:
            let bornIn1800s = digits[6] == 9 || digits[6] == 0
            let checksum = ResidentNumber.hasValidCitizenChecksum(digits)
            if dateValid && checksum && !(bornIn1800s && crnValid && !labelled) {
                return entity(.rrn, 0.95, "rrn.checksum")
            }
            if crnValid && hyphenated && (!dateValid || bornIn1800s) {
                return entity(.crn, 0.9, "crn.checksum")
            }
            guard dateValid, !bornIn1800s else { return nil }
            if hyphenated { return entity(.rrn, labelled ? 0.9 : 0.8, "rrn.date") }
            return labelled ? entity(.rrn, 0.8, "rrn.context") : nil
        case .alien:
            if dateValid && ResidentNumber.hasValidAlienChecksum(digits) {
                return entity(.arn, 0.95, "arn.checksum")
            }
            if crnValid && hyphenated && !(dateValid && labelled) {
                return entity(.crn, 0.85, "crn.checksum")
            }
            guard dateValid else { return nil }
            if hyphenated { return entity(.arn, labelled ? 0.9 : 0.75, "arn.date") }
            return labelled ? entity(.arn, 0.8, "arn.context") : nil
        }
    }
}
