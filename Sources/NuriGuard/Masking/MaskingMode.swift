/// How `PIIMasker` replaces a finding.
public enum MaskingMode: String, Sendable, Hashable, CaseIterable, Codable {
    /// Keep the layout and the harmless part, star the rest: `900101-1******`,
    /// `010-****-5678`, `김*수`, `ho*****@example.com`.
    case format
    /// A label of the type: `[주민등록번호]`, `[전화번호]`, `[이름]`.
    case placeholder
    /// A numbered label, the same for the same value within one masker (one request):
    /// `[이름1]` … `[이름1]`, `[이름2]`; the masker can put the values back with `restore`.
    case pseudonym
}
