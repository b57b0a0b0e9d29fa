/// Korean surnames (성씨): the single-syllable ones that cover nearly all of the population
/// (Statistics Korea, 2015 census, surnames with more than ~1,000 holders) and the two-syllable
/// ones (복성). Stored as a bit set over Hangul syllables for a one-read test per word.
enum KoreanSurnames {
    static let single: String = """
        김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여\
        추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호좌계시승갈견상\
        당화창단진궁평범탄팽하
        """

    static let double: [String] = ["남궁", "황보", "제갈", "사공", "선우", "서문", "독고", "동방", "어금", "망절", "장곡"]

    private static let singles = HangulSyllableSet(single)
    private static let doubleFirsts = HangulSyllableSet(double.joined())
    /// Each two-syllable surname as `first << 32 | second`.
    private static let doublePairs: [UInt64] = double.map { name in
        let scalars = ScalarClass.scalars(name)
        return UInt64(scalars[0]) << 32 | UInt64(scalars[1])
    }

    /// Whether the syllable is a single-syllable surname.
    @inline(__always) static func isSingle(_ c: UInt32) -> Bool { singles.contains(c) }

    /// Whether the two syllables at `position` are a two-syllable surname.
    static func isDouble(_ text: UnsafeBufferPointer<UInt32>, at position: Int) -> Bool {
        guard position + 1 < text.count, doubleFirsts.contains(text[position]) else { return false }
        let pair = UInt64(text[position]) << 32 | UInt64(text[position + 1])
        for candidate in doublePairs where candidate == pair { return true }
        return false
    }
}
