/// Format-preserving masks: separators, Hangul and the part of a value that identifies no one
/// (a birth date and sex digit, an area code, a card's issuer and last four digits, an e-mail
/// domain, a surname) stay; every other letter or digit becomes `*`.
enum FormatPreservingMask {
    static let star: UInt32 = 0x2A

    /// The masked form of `value` (the scalars of one finding).
    static func mask(_ value: [UInt32], as type: PIIEntityType) -> [UInt32] {
        switch type {
        case .rrn, .arn: keep(value, leading: 7, trailing: 0)
        case .crn: keep(value, leading: 6, trailing: 0)
        case .brn: keep(value, leading: 5, trailing: 0)
        case .card: keep(value, leading: 6, trailing: 4)
        case .passport: keep(value, leading: 1, trailing: 0)
        case .driverLicense: keep(value, leading: 2, trailing: 0)
        case .bankAccount: keep(value, leading: firstGroupLength(value), trailing: 0)
        case .phone: phone(value)
        case .email: email(value)
        case .ip: ip(value)
        case .address: keep(value, leading: 0, trailing: 0)
        case .person: person(value)
        }
    }

    /// Stars every ASCII letter or digit except the first `leading` and the last `trailing`.
    static func keep(_ value: [UInt32], leading: Int, trailing: Int) -> [UInt32] {
        let total = value.reduce(0) { $0 + (ScalarClass.isASCIIAlphanumeric($1) ? 1 : 0) }
        var seen = 0
        return value.map { scalar in
            guard ScalarClass.isASCIIAlphanumeric(scalar) else { return scalar }
            defer { seen += 1 }
            return seen < leading || seen >= total - trailing ? scalar : star
        }
    }

    private static func firstGroupLength(_ value: [UInt32]) -> Int {
        value.prefix { ScalarClass.isASCIIAlphanumeric($0) }.count
    }

    /// The group before the last is starred (`010-****-5678`, `+82 10-****-5678`); without
    /// separators, all but the first three and last four digits.
    private static func phone(_ value: [UInt32]) -> [UInt32] {
        var groups: [Range<Int>] = []
        var start: Int?
        for (index, scalar) in value.enumerated() {
            if ScalarClass.isDigit(scalar) {
                if start == nil { start = index }
            } else if let lower = start {
                groups.append(lower..<index)
                start = nil
            }
        }
        if let lower = start { groups.append(lower..<value.count) }
        guard groups.count >= 3 else { return keep(value, leading: 3, trailing: 4) }
        var masked = value
        for index in groups[groups.count - 2] { masked[index] = star }
        return masked
    }

    /// `hong.gildong@example.com` → `ho**********@example.com`.
    private static func email(_ value: [UInt32]) -> [UInt32] {
        guard let at = value.firstIndex(of: ScalarClass.at) else { return keep(value, leading: 0, trailing: 0) }
        let visible = at > 2 ? 2 : 1
        var masked = value
        for index in 0..<at where index >= visible { masked[index] = star }
        return masked
    }

    /// IPv4 keeps its first two octets (`192.168.*.**`), IPv6 its first two groups.
    private static func ip(_ value: [UInt32]) -> [UInt32] {
        let separator = value.contains(ScalarClass.colon) ? ScalarClass.colon : ScalarClass.dot
        var separators = 0
        return value.map { scalar in
            if scalar == separator { separators += 1; return scalar }
            return separators >= 2 && ScalarClass.isASCIIAlphanumeric(scalar) ? star : scalar
        }
    }

    /// `김민수` → `김*수`, `이준` → `이*`, `남궁민수` → `남궁*수`.
    private static func person(_ value: [UInt32]) -> [UInt32] {
        guard value.count >= 2 else { return value }
        let surname = value.count >= 4 ? 2 : 1
        var masked = value
        let lastKept = value.count >= 3 ? value.count - 1 : value.count
        for index in surname..<lastKept { masked[index] = star }
        return masked
    }
}
