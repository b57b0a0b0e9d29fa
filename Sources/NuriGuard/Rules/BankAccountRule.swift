/// Bank account numbers: 10–14 digits, hyphenated in groups of at least two digits (or
/// contiguous after a label such as 계좌번호), and only near a bank's name or an account word
/// (계좌, 입금, 송금, 이체, account). Without that context an account number cannot be told from
/// an order number. A group layout a Korean bank prints (신한 3-3-6, 국민 6-2-6, 카카오뱅크
/// 4-2-7, …) raises the confidence.
enum BankAccountRule {
    /// Group layouts printed by Korean banks.
    static let bankLayouts: [DigitGroups] = [
        DigitGroups(6, 2, 6),      // KB국민, 우체국, NH농협 (351-)
        DigitGroups(3, 2, 4, 3),   // KB국민 (old)
        DigitGroups(3, 3, 6),      // 신한, 케이뱅크
        DigitGroups(3, 2, 6),      // 신한 (old), SC제일
        DigitGroups(4, 3, 6),      // 우리
        DigitGroups(3, 6, 5),      // 하나
        DigitGroups(3, 4, 4, 2),   // NH농협
        DigitGroups(3, 6, 2, 3),   // IBK기업
        DigitGroups(4, 2, 7),      // 카카오뱅크
        DigitGroups(4, 4, 4),      // 토스뱅크
        DigitGroups(4, 2, 6, 1),   // 새마을금고
        DigitGroups(3, 6, 3),      // 씨티
        DigitGroups(3, 4, 4, 3),   // 부산, 경남
        DigitGroups(3, 2, 2, 6),   // 수협
    ]

    static func match(_ run: DigitRun, label: PIIEntityType?, in context: ScanContext) -> PIIEntity? {
        let digits = run.digits
        guard (10...14).contains(digits.count), !run.hasPlus else { return nil }
        let bankContext = label == .bankAccount || context.hasCue(around: run.start, run.end, after: 16) {
            $0 == .bank || $0 == .label(.bankAccount)
        }
        guard bankContext else { return nil }
        if run.isContiguous {
            return PIIEntity(type: .bankAccount, start: run.start, end: run.end, confidence: 0.8, rule: "bank.context")
        }
        let known = bankLayouts.contains(run.groups)
        guard run.separator == ScalarClass.hyphen, (2...4).contains(run.groups.count),
              known || run.groups.allSatisfy({ $0 >= 2 }) else { return nil }
        return PIIEntity(type: .bankAccount, start: run.start, end: run.end, confidence: known ? 0.9 : 0.8, rule: known ? "bank.layout" : "bank.context")
    }
}
