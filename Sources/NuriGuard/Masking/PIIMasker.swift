import Foundation

/// Replaces findings in a text, by format-preserving stars, type placeholders or consistent
/// pseudonyms.
///
/// One masker is one request's scope: pseudonyms stay the same for the same value across the
/// texts it masks (every message of a chat), so the model can still say "the same person",
/// and `restore` puts the values back into the model's answer. It is a value: make a new one per
/// request, and never share it between requests.
///
/// ```swift
/// var masker = PIIMasker()
/// let text = "김민수 님 연락처 010-1234-5678"
/// let masked = masker.mask(text, entities: PIIScanner().scan(text).entities, mode: .pseudonym)
/// // "[이름1] 님 연락처 [전화번호1]"
/// ```
public struct PIIMasker: Sendable {
    private var pseudonymOfValue: [String: String] = [:]
    private var valueOfPseudonym: [String: String] = [:]
    private var counters: [PIIEntityType: Int] = [:]

    /// Creates a masker with no pseudonyms yet.
    public init() {}

    /// The pseudonyms handed out so far, pseudonym → original value.
    public var pseudonyms: [String: String] { valueOfPseudonym }

    /// The text with every entity replaced. Entities out of range or overlapping an earlier one
    /// are left alone (so a stale span never cuts a character in half).
    public mutating func mask(_ text: String, entities: [PIIEntity], mode: MaskingMode) -> String {
        mask(text, entities: entities, modeFor: { _ in mode })
    }

    /// The text with every entity replaced, each by the mode chosen for its type (the transfer
    /// policy uses placeholders for resident registration numbers, which must never come back,
    /// and pseudonyms for the rest).
    public mutating func mask(_ text: String, entities: [PIIEntity], modeFor: (PIIEntityType) -> MaskingMode) -> String {
        guard !entities.isEmpty else { return text }
        let scalars = text.unicodeScalars.map(\.value)
        var output: [UInt32] = []
        output.reserveCapacity(scalars.count + 16)
        var cursor = 0
        for entity in entities.sorted(by: { ($0.start, $0.end) < ($1.start, $1.end) }) {
            guard entity.start >= cursor, entity.start < entity.end, entity.end <= scalars.count else { continue }
            output.append(contentsOf: scalars[cursor..<entity.start])
            let value = Array(scalars[entity.start..<entity.end])
            switch modeFor(entity.type) {
            case .format:
                output.append(contentsOf: FormatPreservingMask.mask(value, as: entity.type))
            case .placeholder:
                output.append(contentsOf: ScalarClass.scalars("[\(entity.type.koreanLabel)]"))
            case .pseudonym:
                output.append(contentsOf: ScalarClass.scalars(pseudonym(for: value, type: entity.type)))
            }
            cursor = entity.end
        }
        output.append(contentsOf: scalars[cursor...])
        return ScalarClass.string(output)
    }

    /// The model's answer with the pseudonyms this masker handed out replaced by their values.
    public func restore(_ text: String) -> String {
        guard !valueOfPseudonym.isEmpty else { return text }
        var result = text
        // Longest first, so [이름12] is not read as [이름1] followed by "2]".
        for pseudonym in valueOfPseudonym.keys.sorted(by: { $0.count > $1.count }) {
            if let value = valueOfPseudonym[pseudonym] {
                result = result.replacingOccurrences(of: pseudonym, with: value)
            }
        }
        return result
    }

    /// The pseudonym of a value: the same for `010-1234-5678` and `01012345678`.
    private mutating func pseudonym(for value: [UInt32], type: PIIEntityType) -> String {
        let key = type.rawValue + ":" + Self.normalized(value, type: type)
        if let existing = pseudonymOfValue[key] { return existing }
        let number = counters[type, default: 0] + 1
        counters[type] = number
        let pseudonym = "[\(type.koreanLabel)\(number)]"
        pseudonymOfValue[key] = pseudonym
        valueOfPseudonym[pseudonym] = ScalarClass.string(value)
        return pseudonym
    }

    /// Numbers without separators, e-mail in lower case, words without spacing.
    static func normalized(_ value: [UInt32], type: PIIEntityType) -> String {
        switch type {
        case .email:
            return ScalarClass.string(value.map(ScalarClass.lowercased))
        case .address, .person:
            return ScalarClass.string(value.filter { !ScalarClass.isSpace($0) })
        default:
            return ScalarClass.string(value.filter { ScalarClass.isASCIIAlphanumeric($0) }.map(ScalarClass.lowercased))
        }
    }
}
