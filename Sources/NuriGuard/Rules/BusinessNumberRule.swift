/// 사업자등록번호: `NNN-NN-NNNNN` with a passed check digit; without hyphens only after a label
/// such as 사업자번호, since any ten digits pass the check one time in ten.
enum BusinessNumberRule {
    static func match(_ run: DigitRun, label: PIIEntityType?) -> PIIEntity? {
        guard run.digits.count == 10, !run.hasPlus, BusinessNumber.hasValidChecksum(run.digits) else { return nil }
        if run.hasGroups(3, 2, 5) && (run.separator == ScalarClass.hyphen || run.separator == ScalarClass.space) {
            return PIIEntity(type: .brn, start: run.start, end: run.end, confidence: 0.95, rule: "brn.checksum")
        }
        if run.isContiguous && label == .brn {
            return PIIEntity(type: .brn, start: run.start, end: run.end, confidence: 0.9, rule: "brn.context")
        }
        return nil
    }
}
