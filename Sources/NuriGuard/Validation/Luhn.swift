/// The Luhn (mod 10) check of payment card numbers.
enum Luhn {
    static func isValid(_ digits: Digits) -> Bool {
        guard digits.count >= 2 else { return false }
        var sum = 0
        var double = false
        for digit in digits.reversed() {
            var value = Int(digit)
            if double {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
            double.toggle()
        }
        return sum % 10 == 0
    }
}
