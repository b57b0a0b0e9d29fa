/// The kinds of personal data the scanner finds. The raw values are the names used in JSON output
/// and in the labelled corpus (`RRN`, `PHONE`, …).
public enum PIIEntityType: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// 주민등록번호, resident registration number: `YYMMDD-SNNNNNN`.
    case rrn = "RRN"
    /// 외국인등록번호, alien registration number: like an RRN with a 7th digit of 5–8.
    case arn = "ARN"
    /// 여권번호: `M12345678` (old) or `M123A4567` (since December 2021).
    case passport = "PASSPORT"
    /// 운전면허번호: `RR-YY-NNNNNN-NN`, region 11–26 or 28.
    case driverLicense = "DRIVER_LICENSE"
    /// 사업자등록번호, business registration number: `NNN-NN-NNNNN` with a check digit.
    case brn = "BRN"
    /// 법인등록번호, corporate registration number: `NNNNNN-NNNNNNN` with a check digit.
    case crn = "CRN"
    /// A personal telephone number: mobile, landline by area code, or 070.
    case phone = "PHONE"
    /// A payment card number (Luhn and a known issuer prefix).
    case card = "CARD"
    /// A bank account number, recognised only near a bank's name or a word such as 계좌.
    case bankAccount = "BANK_ACCOUNT"
    /// An e-mail address.
    case email = "EMAIL"
    /// An IPv4 or IPv6 address.
    case ip = "IP"
    /// A road-name (or lot-number) postal address with its building number and unit.
    case address = "ADDRESS"
    /// A Korean personal name.
    case person = "PERSON"

    /// The Korean label used by placeholder and pseudonym masking: `[주민등록번호]`.
    public var koreanLabel: String {
        switch self {
        case .rrn: "주민등록번호"
        case .arn: "외국인등록번호"
        case .passport: "여권번호"
        case .driverLicense: "운전면허번호"
        case .brn: "사업자등록번호"
        case .crn: "법인등록번호"
        case .phone: "전화번호"
        case .card: "카드번호"
        case .bankAccount: "계좌번호"
        case .email: "이메일"
        case .ip: "IP주소"
        case .address: "주소"
        case .person: "이름"
        }
    }

    /// Orders types by their raw value, so tables and sets print stably.
    public static func < (lhs: PIIEntityType, rhs: PIIEntityType) -> Bool { lhs.rawValue < rhs.rawValue }

    // Equal and hashed by case. A raw-valued enum otherwise compares and hashes its raw value:
    // a string hashed per element of every set of types the guard builds on each request.
    public static func == (lhs: PIIEntityType, rhs: PIIEntityType) -> Bool { lhs.ordinal == rhs.ordinal }

    public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }

    private var ordinal: UInt8 {
        switch self {
        case .rrn: 0
        case .arn: 1
        case .passport: 2
        case .driverLicense: 3
        case .brn: 4
        case .crn: 5
        case .phone: 6
        case .card: 7
        case .bankAccount: 8
        case .email: 9
        case .ip: 10
        case .address: 11
        case .person: 12
        }
    }
}
