/// The rules of the 13-digit resident (주민등록번호) and alien (외국인등록번호) registration
/// numbers: `YYMMDD` birth date, a 7th digit for century and sex (1–4 Koreans, 5–8 foreigners,
/// 9/0 born in the 1800s), then six more digits. Until October 2020 the last digit was a check
/// digit over the first twelve (weights 2,3,4,5,6,7,8,9,2,3,4,5); numbers issued since have a
/// random tail after the 7th digit, so a failed checksum alone does not rule a number out.
enum ResidentNumber {
    static let weights: [Int] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]

    enum Holder: Sendable, Equatable {
        /// A Korean national (RRN).
        case citizen
        /// A registered foreigner (ARN).
        case alien
    }

    /// Who the 7th digit says the holder is.
    static func holder(seventhDigit digit: UInt8) -> Holder? {
        switch digit {
        case 1...4, 9, 0: .citizen
        case 5...8: .alien
        default: nil
        }
    }

    /// The birth century the 7th digit encodes.
    static func century(seventhDigit digit: UInt8) -> Int {
        switch digit {
        case 9, 0: 1800
        case 1, 2, 5, 6: 1900
        default: 2000
        }
    }

    /// Whether the first six digits are a real date in the century of the 7th digit.
    static func hasValidBirthDate(_ digits: Digits) -> Bool {
        guard digits.count >= 7 else { return false }
        let year = century(seventhDigit: digits[6]) + Int(digits[0]) * 10 + Int(digits[1])
        let month = Int(digits[2]) * 10 + Int(digits[3])
        let day = Int(digits[4]) * 10 + Int(digits[5])
        return CalendarDate.isValid(year: year, month: month, day: day)
    }

    static func weightedSum(_ digits: Digits) -> Int {
        var sum = 0
        for index in 0..<12 { sum += Int(digits[index]) * weights[index] }
        return sum
    }

    /// The pre-2020 RRN check digit: (11 − Σ mod 11) mod 10.
    static func hasValidCitizenChecksum(_ digits: Digits) -> Bool {
        guard digits.count == 13 else { return false }
        return (11 - weightedSum(digits) % 11) % 10 == Int(digits[12])
    }

    /// The pre-2020 ARN check digit: (13 − Σ mod 11) mod 10.
    static func hasValidAlienChecksum(_ digits: Digits) -> Bool {
        guard digits.count == 13 else { return false }
        return (13 - weightedSum(digits) % 11) % 10 == Int(digits[12])
    }
}
