/// Where a backend runs and who operates it: what the data-protection policy decides on.
public struct BackendLabels: Sendable, Equatable {
    /// How the platform's operator relates to whoever runs the backend (PIPA: entrustment is not
    /// provision to a third party).
    public enum Relationship: String, Sendable, Codable, CaseIterable {
        case inHouse = "in_house"
        case entrusted
        case thirdParty = "third_party"
    }

    /// ISO 3166 country code of where the backend processes data.
    public let jurisdiction: String
    public let relationship: Relationship

    public init(jurisdiction: String, relationship: Relationship) {
        self.jurisdiction = jurisdiction
        self.relationship = relationship
    }

    /// A model served by this process: in Korea, in house.
    public static let local = BackendLabels(jurisdiction: "KR", relationship: .inHouse)
}
