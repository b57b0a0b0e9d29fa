/// A string of decimal digits held inline, four bits each (up to 32 stored), so that a number
/// candidate costs no allocation. `count` is the true length even past 32; digits beyond the
/// stored ones read as 0, and every validator rejects such lengths anyway.
struct Digits: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    static let capacity = 32
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private(set) var count = 0

    init() {}

    /// The digits of `text`; other characters are skipped (`"900101-1234568"` → 13 digits).
    init(_ text: String) {
        for scalar in text.unicodeScalars where ScalarClass.isDigit(scalar.value) {
            append(ScalarClass.digitValue(scalar.value))
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> UInt8 {
        guard position >= 0, position < Self.capacity else { return 0 }
        let word = position < 16 ? low : high
        return UInt8(truncatingIfNeeded: word >> UInt64(4 * (position & 15)) & 0xF)
    }

    mutating func append(_ digit: UInt8) {
        if count < Self.capacity {
            let shift = UInt64(4 * (count & 15))
            if count < 16 { low |= UInt64(digit & 0xF) << shift } else { high |= UInt64(digit & 0xF) << shift }
        }
        count += 1
    }

    /// The digits from `lower`, `length` of them, as one number (up to 18 digits).
    func value(from lower: Int, count length: Int) -> Int {
        var result = 0
        for position in lower..<Swift.min(count, lower + Swift.min(length, 18)) { result = result * 10 + Int(self[position]) }
        return result
    }

    var description: String { String(map { Character(Unicode.Scalar($0 + 0x30)) }) }
}

/// The lengths of a number's digit groups (`010-1234-5678` → 3, 4, 4), up to eight held inline.
struct DigitGroups: Sendable, Hashable, RandomAccessCollection {
    private var packed: UInt64 = 0
    private(set) var count = 0

    init() {}

    /// Groups of these lengths.
    init(_ lengths: Int...) {
        for length in lengths { append(length) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    subscript(position: Int) -> Int {
        guard position >= 0, position < 8 else { return 0 }
        return Int(truncatingIfNeeded: packed >> UInt64(8 * position) & 0xFF)
    }

    mutating func append(_ length: Int) {
        if count < 8 { packed |= UInt64(Swift.min(length, 255)) << UInt64(8 * count) }
        count += 1
    }
}
