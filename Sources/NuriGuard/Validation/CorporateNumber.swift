/// 법인등록번호, the corporate registration number `NNNNNN-NNNNNNN`: a 4-digit registry office,
/// a 2-digit kind of corporation, a 6-digit serial and a check digit over the first twelve with
/// weights 1,2,1,2,…: (10 − Σ mod 10) mod 10.
enum CorporateNumber {
    static func hasValidChecksum(_ digits: Digits) -> Bool {
        guard digits.count == 13 else { return false }
        var sum = 0
        for index in 0..<12 { sum += Int(digits[index]) * (index % 2 == 0 ? 1 : 2) }
        return (10 - sum % 10) % 10 == Int(digits[12])
    }
}
