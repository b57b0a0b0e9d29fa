/// 운전면허번호: `RR-YY-NNNNNN-NN` — a region code (11–26, or 28), the year of issue, a serial
/// and two check digits — hyphenated, or twelve digits after a label such as 면허번호. Licences
/// printed with the region's name (`서울 14-123456-78`) have the name instead of the code.
enum DriverLicenseRule {
    static func match(_ run: DigitRun, label: PIIEntityType?, in context: ScanContext) -> PIIEntity? {
        guard !run.hasPlus else { return nil }
        let digits = run.digits
        if digits.count == 12 {
            guard isRegionCode(run.value(from: 0, count: 2)) else { return nil }
            if run.hasGroups(2, 2, 6, 2) && run.separator == ScalarClass.hyphen {
                return PIIEntity(type: .driverLicense, start: run.start, end: run.end, confidence: label == .driverLicense ? 0.95 : 0.9, rule: "dl.format")
            }
            if run.isContiguous && label == .driverLicense {
                return PIIEntity(type: .driverLicense, start: run.start, end: run.end, confidence: 0.9, rule: "dl.context")
            }
            return nil
        }
        if digits.count == 10, run.hasGroups(2, 6, 2), run.separator == ScalarClass.hyphen,
           let regionStart = regionNameBefore(run, in: context) {
            return PIIEntity(type: .driverLicense, start: regionStart, end: run.end, confidence: 0.9, rule: "dl.region_name")
        }
        return nil
    }

    /// 11 서울 … 26 울산, 28 경기 북부.
    static func isRegionCode(_ code: Int) -> Bool { (11...26).contains(code) || code == 28 }

    /// The start of a region name (서울, 경기, …) just before the run, if there is one.
    private static func regionNameBefore(_ run: DigitRun, in context: ScanContext) -> Int? {
        let index = run.firstToken - 1
        guard index >= 0 else { return nil }
        let token = context.tokens[index]
        guard token.kind == .hangul, token.end >= run.start - 1 else { return nil }
        return AdministrativeDivisions.licenceRegions.contains(context.text, token.start, token.end) ? token.start : nil
    }
}
