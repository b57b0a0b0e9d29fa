/// What a `PIIScanner` looks for.
public struct ScannerConfiguration: Sendable, Hashable {
    /// The entity types to report; the others are still recognised (so a number is not half
    /// claimed by another type) but left out of the result.
    public var types: Set<PIIEntityType>
    /// Findings below this confidence are left out.
    public var minimumConfidence: Double
    /// Whether to flag sensitive categories (PIPA Art. 23).
    public var detectsSensitiveCategories: Bool
    /// How many code points before a number a context word such as 계좌 or 주문번호 may end.
    public var contextWindow: Int

    /// Every type, every confidence, sensitive categories on, a 24-code-point context window.
    public static let `default` = ScannerConfiguration()

    /// Creates a configuration.
    public init(
        types: Set<PIIEntityType> = Set(PIIEntityType.allCases),
        minimumConfidence: Double = 0,
        detectsSensitiveCategories: Bool = true,
        contextWindow: Int = 24
    ) {
        self.types = types
        self.minimumConfidence = minimumConfidence
        self.detectsSensitiveCategories = detectsSensitiveCategories
        self.contextWindow = max(0, contextWindow)
    }
}
