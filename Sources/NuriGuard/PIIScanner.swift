/// Finds Korean personal data in text.
///
/// One pass over the text's Unicode scalars cuts it into words and records the context terms
/// (labels such as 계좌번호, negative words such as 주문번호, sensitive terms); then each
/// candidate — a number, an ASCII word, a Hangul word — goes to the validators its shape allows
/// (checksums, dates, prefixes, lexicons), and overlapping findings are settled by confidence.
///
/// A value type without shared mutable state: one scanner may serve every request at once.
///
/// ```swift
/// let result = PIIScanner().scan("주민번호 900101-1234568, 연락처 010-1234-5678")
/// result.entities.map(\.type)   // [.rrn, .phone]
/// ```
public struct PIIScanner: Sendable {
    /// What this scanner reports.
    public let configuration: ScannerConfiguration
    private let terms: TermDictionary

    /// Creates a scanner; the lexicons are built once per process and shared read-only.
    public init(configuration: ScannerConfiguration = .default) {
        self.configuration = configuration
        self.terms = ContextTerms.dictionary
    }

    /// Scans one text.
    public func scan(_ text: String) -> ScanResult {
        let scalars = UTF8Decoding.scalars(of: text)
        return scalars.withUnsafeBufferPointer(scan)
    }

    /// Scans text given as Unicode scalar values (offsets in the result index this buffer).
    public func scan(scalars: UnsafeBufferPointer<UInt32>) -> ScanResult {
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 3 + 4)
        var hits: [CueHit] = []
        Lexer.lex(scalars, terms: terms, tokens: &tokens, hits: &hits)
        var context = ScanContext(text: scalars, tokens: tokens, hits: hits, window: configuration.contextWindow)
        ASCIIDispatcher.scan(&context)
        AddressRule.scan(&context)
        PersonNameRule.scan(&context)

        var result = ScanResult()
        Self.resolveOverlaps(&context.findings)
        result.entities = context.findings
        if configuration.types.count < PIIEntityType.allCases.count || configuration.minimumConfidence > 0 {
            result.entities.removeAll {
                !configuration.types.contains($0.type) || $0.confidence < configuration.minimumConfidence
            }
        }
        if configuration.detectsSensitiveCategories {
            for hit in hits {
                if case .sensitive(let category) = hit.cue { result.sensitiveCategories.insert(category) }
            }
        }
        return result
    }

    /// Sorts the findings by position and keeps, among overlapping ones, the most confident
    /// (then the longest).
    static func resolveOverlaps(_ findings: inout [PIIEntity]) {
        guard findings.count > 1 else { return }
        findings.sort { a, b in a.start != b.start ? a.start < b.start : a.end < b.end }
        var overlaps = false
        for index in 1..<findings.count where findings[index].start < findings[index - 1].end { overlaps = true }
        guard overlaps else { return }
        let ranked = findings.sorted { a, b in
            if a.confidence != b.confidence { return a.confidence > b.confidence }
            if a.length != b.length { return a.length > b.length }
            return a.start < b.start
        }
        var kept: [PIIEntity] = []
        kept.reserveCapacity(ranked.count)
        for finding in ranked where !kept.contains(where: { $0.start < finding.end && finding.start < $0.end }) {
            kept.append(finding)
        }
        findings = kept.sorted { a, b in a.start != b.start ? a.start < b.start : a.end < b.end }
    }
}
