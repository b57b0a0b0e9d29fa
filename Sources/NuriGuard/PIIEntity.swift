/// One piece of personal data found in a text.
///
/// Offsets count Unicode code points (scalars), end exclusive, as Python indexes a `str`:
/// in `"☎️ 010-1234-5678"` the number starts at 3 (☎ and its variation selector are two).
public struct PIIEntity: Sendable, Hashable, Codable {
    /// What kind of personal data this is.
    public var type: PIIEntityType
    /// The offset of the first code point.
    public var start: Int
    /// The offset just past the last code point.
    public var end: Int
    /// How sure the rule is, 0…1: 0.95 for a passed checksum, less for shape and context alone.
    public var confidence: Double
    /// The rule that fired, such as `rrn.checksum` or `person.title`.
    public var rule: String

    /// Creates a finding.
    public init(type: PIIEntityType, start: Int, end: Int, confidence: Double, rule: String) {
        self.type = type
        self.start = start
        self.end = end
        self.confidence = confidence
        self.rule = rule
    }

    /// The number of code points covered.
    public var length: Int { end - start }
}
