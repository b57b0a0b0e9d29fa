/// Payment card issuer prefixes (IIN ranges) and the lengths each issues, so that a Luhn-valid
/// order number is not taken for a card.
enum CardIssuer {
    /// Whether `digits` starts with a known issuer prefix and has one of its lengths.
    static func isKnown(_ digits: Digits) -> Bool {
        guard digits.count >= 14 else { return false }
        let length = digits.count
        func prefix(_ count: Int) -> Int { digits.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        let two = prefix(2), three = prefix(3), four = prefix(4)
        switch digits[0] {
        case 4: return length == 16 || length == 19                                  // Visa
        case 5: return (51...55).contains(two) && length == 16                        // Mastercard
        case 2: return (2221...2720).contains(four) && length == 16                   // Mastercard 2-series
        case 3:
            if two == 34 || two == 37 { return length == 15 }                         // American Express
            if (3528...3589).contains(four) { return length == 16 || length == 19 }   // JCB
            if (300...305).contains(three) || two == 36 || two == 38 { return length == 14 || length == 16 } // Diners
            return false
        case 6:
            if two == 62 { return (16...19).contains(length) }                        // UnionPay
            if four == 6011 || two == 65 || (644...649).contains(three) { return length == 16 || length == 19 } // Discover
            return false
        case 9: return length == 16                                                   // Korean domestic (BC, 국내전용)
        default: return false
        }
    }
}
