/// The sensitive categories of PIPA Article 23 (민감정보), flagged for a whole text when a term
/// of the category occurs in it. Using such data needs a separate `sensitive` consent.
public enum SensitiveCategory: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// 건강: diseases, diagnoses, prescriptions, disabilities, pregnancy.
    case health
    /// 사상·신념: religion and convictions.
    case beliefs
    /// 노동조합: trade-union membership.
    case union
    /// 정당·정치적 견해: party membership, political views.
    case politics
    /// 성생활 등: sex life and sexual orientation.
    case sexLife = "sex_life"
    /// 유전정보: genetic test results.
    case genetic
    /// 범죄경력: criminal records.
    case criminal
    /// 생체인식정보: fingerprints, iris, face templates.
    case biometric
    /// 인종·민족.
    case race

    /// Orders categories by their raw value, so output is stable.
    public static func < (lhs: SensitiveCategory, rhs: SensitiveCategory) -> Bool { lhs.rawValue < rhs.rawValue }
}
