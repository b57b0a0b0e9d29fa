/// Where data would go: a model's name on this platform and who runs it where.
public struct Destination: Sendable, Hashable {
    /// How the platform's operator relates to whoever runs the backend. Entrustment (a
    /// processor working on the controller's behalf) is not provision to a third party (PIPA
    /// Art. 26 vs. Art. 17).
    public enum Relationship: String, Sendable, Hashable, Codable, CaseIterable {
        case inHouse = "in_house"
        case entrusted
        case thirdParty = "third_party"
    }

    /// The recipient's name as consents name it: the model name callers use.
    public var recipient: String
    /// ISO 3166 code of the country where the backend processes data.
    public var jurisdiction: String
    public var relationship: Relationship

    public init(recipient: String, jurisdiction: String, relationship: Relationship) {
        self.recipient = recipient
        self.jurisdiction = jurisdiction.uppercased()
        self.relationship = relationship
    }

    /// Data going here is provided to a third party.
    public var isThirdParty: Bool { relationship == .thirdParty }
    /// Data going here leaves Korea.
    public var isOverseas: Bool { jurisdiction != "KR" }
    /// Data going here leaves the controller's hands (consent questions arise).
    public var isOutside: Bool { isThirdParty || isOverseas }
}
