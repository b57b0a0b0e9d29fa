/// Context terms (labels, bank names, negative cues, sensitive terms) looked up at a position in
/// one step: the first scalar selects a small bucket through a flat table, and the bucket's terms,
/// longest first, are compared in place. The lexer asks at every Hangul syllable and at the start
/// of every ASCII word, so most positions cost one array read.
struct TermDictionary: Sendable {
    /// One term. ASCII letters are stored in lower case and compared case-insensitively.
    struct Term: Sendable {
        var scalars: [UInt32]
        var cue: Cue
        /// The term must start a word (no letter of its script just before it), for short terms
        /// that would otherwise match inside other words.
        var wordStart: Bool
        /// The term must end a word too (no letter of its script right after it): 암 but not 암호.
        var wordEnd: Bool
    }

    /// Buckets by first scalar; `bucketOf[c]` is the bucket index + 1 for `c < 0x10000`, 0 for none.
    private let bucketOf: [UInt16]
    private let buckets: [[Term]]

    init(_ terms: [Term]) {
        var bucketOf = [UInt16](repeating: 0, count: 0x10000)
        var buckets: [[Term]] = []
        for term in terms {
            guard let first = term.scalars.first, first < 0x10000 else { continue }
            let slot = Int(first)
            if bucketOf[slot] == 0 {
                buckets.append([])
                bucketOf[slot] = UInt16(buckets.count)
            }
            buckets[Int(bucketOf[slot]) - 1].append(term)
        }
        for index in buckets.indices { buckets[index].sort { $0.scalars.count > $1.scalars.count } }
        self.bucketOf = bucketOf
        self.buckets = buckets
    }

    /// Whether any term starts with scalar `c` (cheap pre-check).
    @inline(__always) func mayStart(with c: UInt32) -> Bool {
        c < 0x10000 && bucketOf[Int(ScalarClass.lowercased(c))] != 0
    }

    /// The longest term that starts at `position`, if any.
    func longestMatch(in text: UnsafeBufferPointer<UInt32>, at position: Int) -> Term? {
        let first = ScalarClass.lowercased(text[position])
        guard first < 0x10000 else { return nil }
        let slot = Int(bucketOf[Int(first)])
        guard slot != 0 else { return nil }
        let asciiTerm = ScalarClass.isASCIILetter(first)
        let previousIsLetter = position > 0 && Self.continuesWord(text[position - 1], ascii: asciiTerm)
        for term in buckets[slot - 1] {
            let count = term.scalars.count
            guard position + count <= text.count else { continue }
            if term.wordStart && previousIsLetter { continue }
            var matches = true
            var offset = 1
            while offset < count {
                if ScalarClass.lowercased(text[position + offset]) != term.scalars[offset] { matches = false; break }
                offset += 1
            }
            guard matches else { continue }
            if term.wordEnd, position + count < text.count,
               Self.continuesWord(text[position + count], ascii: ScalarClass.isASCIILetter(term.scalars[count - 1])) { continue }
            return term
        }
        return nil
    }

    /// Whether `c` would continue a word of the term's script: an ASCII term is bounded by
    /// anything but ASCII letters and digits (`IP주소` matches `ip`), a Hangul term by anything
    /// but Hangul syllables.
    @inline(__always) private static func continuesWord(_ c: UInt32, ascii: Bool) -> Bool {
        ascii ? ScalarClass.isASCIIAlphanumeric(c) : ScalarClass.isHangulSyllable(c)
    }
}

extension TermDictionary.Term {
    /// A term from its text. ASCII terms always need word boundaries on both sides, so that `ip`
    /// does not match inside `zip` nor `tel` inside `hotel`.
    init(_ text: String, _ cue: Cue, wordStart: Bool = false, wordEnd: Bool = false) {
        let scalars = ScalarClass.scalars(text).map(ScalarClass.lowercased)
        let ascii = scalars.first.map(ScalarClass.isASCIILetter) ?? false
        self.init(scalars: scalars, cue: cue, wordStart: wordStart || ascii, wordEnd: wordEnd || ascii)
    }
}
