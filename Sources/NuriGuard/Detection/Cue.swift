/// What a context term found in the text says about what follows or surrounds it.
enum Cue: Sendable, Equatable {
    /// The name of an identifier, such as 주민등록번호, 계좌번호, 여권, 연락처, 주소, 성명.
    case label(PIIEntityType)
    /// A bank's name, such as 신한은행 or 카카오뱅크: context for an account number.
    case bank
    /// A word saying the following number is not about a person: 주문번호, 운송장, 버전, 대표번호.
    case notPersonal
    /// A word saying the following dotted number is a version, so not an IP address.
    case version
    /// A term of a sensitive category (PIPA Art. 23).
    case sensitive(SensitiveCategory)
    /// A longer ordinary word that hides a shorter term inside it (암호 over 암, 게이트 over 게이):
    /// being the longest match, it stops the shorter one and says nothing itself.
    case ordinaryWord

    /// Whether this cue speaks about a number that follows (labels, banks, negatives).
    var isNumberContext: Bool {
        switch self {
        case .label(let type): type != .person && type != .address
        case .bank, .notPersonal, .version: true
        case .sensitive, .ordinaryWord: false
        }
    }
}

/// A context term found at `start..<end` (scalar offsets).
struct CueHit: Sendable, Equatable {
    var start: Int
    var end: Int
    var cue: Cue
}
