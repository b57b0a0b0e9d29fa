/// What a scan found in one text.
public struct ScanResult: Sendable, Hashable {
    /// The findings, sorted by start offset, never overlapping.
    public var entities: [PIIEntity]
    /// The PIPA Art. 23 categories the text touches, from context terms.
    public var sensitiveCategories: Set<SensitiveCategory>

    /// Creates a result.
    public init(entities: [PIIEntity] = [], sensitiveCategories: Set<SensitiveCategory> = []) {
        self.entities = entities
        self.sensitiveCategories = sensitiveCategories
    }

    /// Whether nothing personal or sensitive was found.
    public var isEmpty: Bool { entities.isEmpty && sensitiveCategories.isEmpty }

    /// How many findings there are of each type (what an audit record keeps instead of values).
    public var countsByType: [PIIEntityType: Int] {
        entities.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    }
}
