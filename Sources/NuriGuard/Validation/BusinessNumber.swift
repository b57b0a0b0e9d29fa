/// 사업자등록번호, the business registration number `NNN-NN-NNNNN`: a tax office code (never
/// starting with 0), a kind code, a serial and a check digit. Check: Σ dᵢ·wᵢ over the first nine
/// digits with weights 1,3,7,1,3,7,1,3,5, plus ⌊5·d₉/10⌋; the 10th digit is (10 − Σ mod 10) mod 10.
enum BusinessNumber {
    static let weights: [Int] = [1, 3, 7, 1, 3, 7, 1, 3, 5]

    static func hasValidChecksum(_ digits: Digits) -> Bool {
        guard digits.count == 10, digits[0] != 0 else { return false }
        var sum = 0
        for index in 0..<9 { sum += Int(digits[index]) * weights[index] }
        sum += Int(digits[8]) * 5 / 10
        return (10 - sum % 10) % 10 == Int(digits[9])
    }
}
