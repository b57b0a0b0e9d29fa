import Foundation

/// What a consent allows. PIPA Art. 22 wants each asked for separately, so a consent record
/// has exactly one kind and a request that needs two kinds needs two records.
public enum ConsentKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Collection and use by the controller itself (Art. 15).
    case collectionUse = "collection_use"
    /// Provision to a third party (Art. 17): another organisation, or a third-party model.
    case thirdPartyProvision = "third_party_provision"
    /// Transfer abroad (Art. 28-8), naming the country.
    case overseasTransfer = "overseas_transfer"
    /// Sensitive information: health, beliefs, union, politics, sex life, genetic, criminal,
    /// biometric, race (Art. 23).
    case sensitive
    /// Unique identifiers other than the resident registration number: passport, driver's
    /// licence, alien registration numbers (Art. 24).
    case uniqueIdentifier = "unique_identifier"
    /// Use or provision beyond the purpose collected for (Art. 18).
    case beyondPurpose = "beyond_purpose"

    /// Parses a kind as a user types it, with an error that lists the valid ones.
    public static func parse(_ text: String) throws(GuardError) -> ConsentKind {
        guard let kind = ConsentKind(rawValue: text.lowercased().replacingOccurrences(of: "-", with: "_")) else {
            throw .invalidInput(param: "kind", message: "unknown consent kind '\(text)'; use one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }
}
