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
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(scalar.value) }
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
        result.entities = Self.resolveOverlaps(context.findings).filter {
            configuration.types.contains($0.type) && $0.confidence >= configuration.minimumConfidence
        }
        if configuration.detectsSensitiveCategories {
            for hit in hits {
                if case .sensitive(let category) = hit.cue { result.sensitiveCategories.insert(category) }
            }
        }
        return result
    }

    /// Keeps, among overlapping findings, the most confident (then the longest), and sorts the
    /// rest by position.
    static func resolveOverlaps(_ findings: [PIIEntity]) -> [PIIEntity] {
        guard findings.count > 1 else { return findings }
        let ranked = findings.sorted {
            ($0.confidence, $0.length, -$0.start) > ($1.confidence, $1.length, -$1.start)
        }
        var kept: [PIIEntity] = []
        for finding in ranked where !kept.contains(where: { $0.start < finding.end && finding.start < $0.end }) {
            kept.append(finding)
        }
        return kept.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }
}
