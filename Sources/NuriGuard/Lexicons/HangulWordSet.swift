/// A set of Hangul words that answers "is text[start..<end] one of them" without building a
/// `String`: words of up to four syllables are packed into one `UInt64` (14 bits a syllable
/// plus the length), longer ones are kept as strings.
struct HangulWordSet: Sendable {
    private let packed: Set<UInt64>
    private let long: Set<String>

    init<S: Sequence>(_ words: S) where S.Element == String {
        var packed = Set<UInt64>()
        var long = Set<String>()
        for word in words {
            let scalars = ScalarClass.scalars(word)
            if scalars.count <= 4, scalars.allSatisfy(ScalarClass.isHangulSyllable) {
                _ = scalars.withUnsafeBufferPointer { packed.insert(Self.key($0, 0, scalars.count)) }
            } else {
                long.insert(word)
            }
        }
        self.packed = packed
        self.long = long
    }

    @inline(__always) private static func key(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> UInt64 {
        var key = UInt64(end - start)
        for position in start..<end { key = key << 14 | UInt64(text[position] &- 0xAC00) }
        return key
    }

    /// Whether the Hangul syllables `text[start..<end]` form a word of the set.
    func contains(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        guard start <= end else { return false }
        if end - start <= 4, (start..<end).allSatisfy({ ScalarClass.isHangulSyllable(text[$0]) }) {
            return packed.contains(Self.key(text, start, end))
        }
        return !long.isEmpty && long.contains(ScalarClass.string(text[start..<end]))
    }

    /// Whether `word` is in the set.
    func contains(_ word: String) -> Bool {
        let scalars = ScalarClass.scalars(word)
        return scalars.withUnsafeBufferPointer { contains($0, 0, scalars.count) }
    }
}
