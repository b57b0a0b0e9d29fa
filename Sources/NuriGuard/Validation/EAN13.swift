/// EAN-13 product barcodes (Korea's prefix is 880), whose 13 digits can look like an RRN without
/// its hyphen. Check: weights 1,3,1,3,… over twelve digits; the 13th makes the sum a multiple of 10.
enum EAN13 {
    static func isValid(_ digits: Digits) -> Bool {
        guard digits.count == 13 else { return false }
        var sum = 0
        for index in 0..<12 { sum += Int(digits[index]) * (index % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == Int(digits[12])
    }
}
