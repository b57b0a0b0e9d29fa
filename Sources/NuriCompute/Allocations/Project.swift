/// A project: the unit that receives GPU allocations. It belongs to an organisation and carries
/// the tier the centre serves it at. Its name is also its Slurm account (and QOS) name, so it
/// follows Slurm's rules (see ``SlurmName``).
public struct Project: Sendable, Codable, Equatable {
    public let id: String
    public let organisationID: String
    /// The organisation's name, for display.
    public let organisation: String
    public let name: String
    public let tier: Tier
    public let description: String
    public let createdBy: String
    /// Unix seconds.
    public let createdAt: Int

    public init(id: String, organisationID: String, organisation: String, name: String, tier: Tier, description: String,
                createdBy: String, createdAt: Int) {
        self.id = id
        self.organisationID = organisationID
        self.organisation = organisation
        self.name = name
        self.tier = tier
        self.description = description
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, organisation, name, tier, description
        case organisationID = "organisation_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }
}

extension Tier {
    /// Parses a tier as a user types it, with an error listing the valid ones.
    public static func parse(_ text: String) throws(ComputeError) -> Tier {
        guard let tier = Tier(rawValue: text.lowercased()) else {
            throw .invalidInput(param: "tier", message: "unknown tier '\(text.prefix(40))'; use one of: \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return tier
    }
}
