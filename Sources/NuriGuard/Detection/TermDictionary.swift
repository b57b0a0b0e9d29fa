/// Context terms (labels, bank names, negative cues, sensitive terms, titles) looked up at a
/// position in one step: the first scalar selects a bucket through a flat table, and the
/// bucket's terms, longest first, are compared in place. The lexer asks at every Hangul syllable
/// and at the start of every ASCII word, so most positions cost one array read.
///
/// Storage is flat (all term scalars in one array, fixed-size entries), so a look-up touches no
/// reference counts.
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

    /// A term found in the text.
    struct Match: Sendable {
        var length: Int
        var cue: Cue
    }

    private struct Entry: Sendable {
        var offset: Int32
        var count: Int32
        var cue: Int32
        var wordStart: Bool
        var wordEnd: Bool
        var endsASCII: Bool
    }

    /// `bucketOf[c]` is the bucket index + 1 for `c < 0x10000`, 0 when no term starts with `c`.
    private let bucketOf: [UInt16]
    /// A filter over the first two scalars of every term (bit `pairHash(a, b)`), and the scalars
    /// that are one-scalar terms: most Hangul positions start no term and are turned away here
    /// without touching a bucket.
    private let pairBits: [UInt64]
    /// Bits over the Basic Multilingual Plane: the scalars that are a whole term alone.
    private let singleScalarBits: [UInt64]
    /// Bucket `b` holds `entries[bucketStart[b]..<bucketStart[b + 1]]`, longest first.
    private let bucketStart: [Int32]
    private let entries: [Entry]
    private let scalars: [UInt32]
    private let cues: [Cue]

    init(_ terms: [Term]) {
        var bucketOf = [UInt16](repeating: 0, count: 0x10000)
        var grouped: [[Term]] = []
        for term in terms {
            guard let first = term.scalars.first, first < 0x10000 else { continue }
            let slot = Int(first)
            if bucketOf[slot] == 0 {
                grouped.append([])
                bucketOf[slot] = UInt16(grouped.count)
            }
            grouped[Int(bucketOf[slot]) - 1].append(term)
        }
        var pairBits = [UInt64](repeating: 0, count: Self.pairBitCount / 64)
        var singleScalarBits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for term in terms where !term.scalars.isEmpty {
            if term.scalars.count == 1 {
                let c = Int(term.scalars[0])
                if c < 0x10000 { singleScalarBits[c >> 6] |= 1 << UInt64(c & 63) }
            } else {
                let bit = Self.pairHash(term.scalars[0], term.scalars[1])
                pairBits[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        self.pairBits = pairBits
        self.singleScalarBits = singleScalarBits
        var bucketStart: [Int32] = [0]
        var entries: [Entry] = []
        var scalars: [UInt32] = []
        var cues: [Cue] = []
        for bucket in grouped {
            for term in bucket.sorted(by: { $0.scalars.count > $1.scalars.count }) {
                let last = term.scalars[term.scalars.count - 1]
                entries.append(Entry(
                    offset: Int32(scalars.count), count: Int32(term.scalars.count), cue: Int32(cues.count),
                    wordStart: term.wordStart, wordEnd: term.wordEnd, endsASCII: ScalarClass.isASCIILetter(last)
                ))
                scalars += term.scalars
                cues.append(term.cue)
            }
            bucketStart.append(Int32(entries.count))
        }
        self.bucketOf = bucketOf
        self.bucketStart = bucketStart
        self.entries = entries
        self.scalars = scalars
        self.cues = cues
    }

    private static let pairBitCount = 1 << 16

    @inline(__always) private static func pairHash(_ a: UInt32, _ b: UInt32) -> Int {
        Int((ScalarClass.lowercased(a) &* 0x9E37_79B1 ^ ScalarClass.lowercased(b) &* 0x85EB_CA77) >> 16)
    }

    /// Whether any term starts with scalar `c` (cheap pre-check).
    @inline(__always) func mayStart(with c: UInt32) -> Bool {
        c < 0x10000 && bucketOf[Int(ScalarClass.lowercased(c))] != 0
    }

    /// Whether any term may start at `position`: its first two scalars pass the pair filter, or
    /// the scalar is a term alone.
    @inline(__always) func mayStart(in text: UnsafeBufferPointer<UInt32>, at position: Int) -> Bool {
        let c = text[position]
        guard c < 0x10000, bucketOf[Int(ScalarClass.lowercased(c))] != 0 else { return false }
        if position + 1 < text.count {
            let bit = Self.pairHash(c, text[position + 1])
            if pairBits[bit >> 6] & (1 << UInt64(bit & 63)) != 0 { return true }
        }
        let lower = Int(ScalarClass.lowercased(c))
        return singleScalarBits[lower >> 6] & (1 << UInt64(lower & 63)) != 0
    }

    /// The longest term that starts at `position` and ends by `limit`, if any.
    func longestMatch(in text: UnsafeBufferPointer<UInt32>, at position: Int, limit: Int? = nil) -> Match? {
        let end = min(limit ?? text.count, text.count)
        guard position < end else { return nil }
        let first = ScalarClass.lowercased(text[position])
        guard first < 0x10000 else { return nil }
        let slot = Int(bucketOf[Int(first)])
        guard slot != 0 else { return nil }
        let asciiTerm = ScalarClass.isASCIILetter(first)
        let previousIsLetter = position > 0 && Self.continuesWord(text[position - 1], ascii: asciiTerm)
        var index = Int(bucketStart[slot - 1])
        let stop = Int(bucketStart[slot])
        while index < stop {
            let entry = entries[index]
            index += 1
            let count = Int(entry.count)
            guard position + count <= end, !(entry.wordStart && previousIsLetter) else { continue }
            let offset = Int(entry.offset)
            var matches = true
            var k = 1
            while k < count {
                if ScalarClass.lowercased(text[position + k]) != scalars[offset + k] { matches = false; break }
                k += 1
            }
            guard matches else { continue }
            if entry.wordEnd, position + count < text.count,
               Self.continuesWord(text[position + count], ascii: entry.endsASCII) { continue }
            return Match(length: count, cue: cues[Int(entry.cue)])
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
