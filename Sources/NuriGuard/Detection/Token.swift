/// A word of the text as the lexer cut it: a run of Hangul syllables, a run of ASCII token
/// scalars (see `ScalarClass.isASCIITokenScalar`), or one other scalar (punctuation, emoji, Han).
/// White space is not a token; `spaceBefore` tells whether some preceded it.
struct Token: Sendable, Equatable {
    enum Kind: UInt8, Sendable {
        case hangul
        case ascii
        case symbol
    }

    var kind: Kind
    /// Offsets in the scalar array, end exclusive.
    var start: Int
    var end: Int
    /// Whether white space separates this token from the previous one.
    var spaceBefore: Bool
    /// For ASCII tokens: how many digits and letters it holds.
    var digits: Int = 0
    var letters: Int = 0

    var length: Int { end - start }
    /// An ASCII token of digits and `-`, `.` only (a leading `+` allowed): a number candidate.
    var isNumeric = false
}
