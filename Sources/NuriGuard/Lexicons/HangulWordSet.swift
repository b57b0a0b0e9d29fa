/// A set of Hangul words that answers "is text[start..<end] one of them" without building a
/// `String`: up to eight syllables are packed into two `UInt64`s (14 bits a syllable), and bit
/// sets of the first and last syllables turn most misses away before any hashing.
struct HangulWordSet: Sendable {
    private struct Key: Hashable, Sendable {
        var low: UInt64
        var high: UInt64

        /// A multiplicative hash, far cheaper than `Hasher` for a table built once from trusted words.
        @inline(__always) func slot(_ mask: Int) -> Int {
            let mixed = (low &* 0x9E37_79B9_7F4A_7C15) ^ (high &* 0xC2B2_AE3D_27D4_EB4F)
            return Int(truncatingIfNeeded: (mixed ^ (mixed >> 29)) >> 7) & mask
        }
    }

    static let maximumLength = 8

    /// Open addressing with linear probing; `low == 0` marks an empty slot (a stored key always
    /// has its length, at least 1, in the top bits of `low`).
    private let table: [Key]
    private let mask: Int
    private let firstSyllables: HangulSyllableSet
    private let lastSyllables: HangulSyllableSet
    private let lengths: ClosedRange<Int>
    private let containsEmpty: Bool

    init<S: Sequence>(_ words: S) where S.Element == String {
        var keys: [Key] = []
        var first = HangulSyllableSet(), last = HangulSyllableSet()
        var shortest = Int.max, longest = 0
        var containsEmpty = false
        for word in words {
            let scalars = ScalarClass.scalars(word)
            if scalars.isEmpty { containsEmpty = true; continue }
            // Only Hangul words fit; the lexicons hold nothing else.
            guard scalars.count <= Self.maximumLength, scalars.allSatisfy(ScalarClass.isHangulSyllable) else { continue }
            scalars.withUnsafeBufferPointer { keys.append(Self.key($0, 0, scalars.count)) }
            first.insert(scalars[0])
            last.insert(scalars[scalars.count - 1])
            shortest = min(shortest, scalars.count)
            longest = max(longest, scalars.count)
        }
        var size = 16
        while size < keys.count * 3 { size <<= 1 }
        var table = [Key](repeating: Key(low: 0, high: 0), count: size)
        for key in keys {
            var slot = key.slot(size - 1)
            while table[slot].low != 0 && table[slot] != key { slot = (slot + 1) & (size - 1) }
            table[slot] = key
        }
        self.table = table
        self.mask = size - 1
        self.firstSyllables = first
        self.lastSyllables = last
        self.lengths = shortest <= longest ? shortest...longest : 1...0
        self.containsEmpty = containsEmpty
    }

    @inline(__always) private static func key(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Key {
        var low = UInt64(end - start) << 56, high: UInt64 = 0
        for position in start..<end {
            let syllable = UInt64(text[position] &- 0xAC00)
            let slot = position - start
            if slot < 4 { low |= syllable << UInt64(14 * slot) } else { high |= syllable << UInt64(14 * (slot - 4)) }
        }
        return Key(low: low, high: high)
    }

    /// Whether the scalars `text[start..<end]` form a word of the set.
    func contains(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        if start >= end { return start == end && containsEmpty }
        guard lengths.contains(end - start), firstSyllables.contains(text[start]), lastSyllables.contains(text[end - 1]) else {
            return false
        }
        for position in start..<end where !ScalarClass.isHangulSyllable(text[position]) { return false }
        let key = Self.key(text, start, end)
        var slot = key.slot(mask)
        while true {
            let stored = table[slot]
            if stored.low == 0 { return false }
            if stored == key { return true }
            slot = (slot + 1) & mask
        }
    }

    /// Whether `word` is in the set.
    func contains(_ word: String) -> Bool {
        let scalars = ScalarClass.scalars(word)
        return scalars.withUnsafeBufferPointer { contains($0, 0, scalars.count) }
    }
}

/// A set of Hangul syllables as 11,172 bits (one read per test).
struct HangulSyllableSet: Sendable {
    private var bits = [UInt64](repeating: 0, count: (11172 + 63) / 64)

    init() {}

    /// The syllables of a string (other scalars ignored).
    init(_ syllables: String) {
        for scalar in syllables.unicodeScalars { insert(scalar.value) }
    }

    mutating func insert(_ c: UInt32) {
        guard ScalarClass.isHangulSyllable(c) else { return }
        let index = Int(c &- 0xAC00)
        bits[index >> 6] |= 1 << UInt64(index & 63)
    }

    @inline(__always) func contains(_ c: UInt32) -> Bool {
        guard ScalarClass.isHangulSyllable(c) else { return false }
        let index = Int(c &- 0xAC00)
        return bits[index >> 6] & (1 << UInt64(index & 63)) != 0
    }
}
