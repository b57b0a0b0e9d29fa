import Foundation
import NuriStore
import SQLKit

/// An organisation's choices where PIPA leaves one: what happens to personal data bound for a
/// third party or abroad without a matching consent. Everything else is fixed by law: resident
/// registration numbers are always masked, sensitive information outside needs consent.
public struct TransferRules: Sendable, Hashable, Codable {
    /// What to do without a consent.
    public enum WithoutConsent: String, Sendable, Hashable, Codable, CaseIterable {
        /// Replace the personal data with pseudonyms and send the rest.
        case mask
        /// Send nothing; answer 403 `pii_blocked`.
        case block
    }

    public var thirdParty: WithoutConsent
    public var overseas: WithoutConsent

    /// The defaults: mask for both (the request still works, the data stays home).
    public static let `default` = TransferRules(thirdParty: .mask, overseas: .mask)

    public init(thirdParty: WithoutConsent, overseas: WithoutConsent) {
        self.thirdParty = thirdParty
        self.overseas = overseas
    }

    enum CodingKeys: String, CodingKey {
        case thirdParty = "third_party"
        case overseas
    }

    /// Parses `mask` or `block`, naming the field otherwise.
    public static func parse(_ text: String, param: String) throws(GuardError) -> WithoutConsent {
        guard let value = WithoutConsent(rawValue: text.lowercased()) else {
            throw .invalidInput(param: param, message: "\(param) must be mask or block")
        }
        return value
    }
}

/// Organisations' transfer rules in the database (the defaults where none were set).
public struct TransferRulesStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func rules(for organisationID: String?) async throws -> TransferRules {
        guard let organisationID else { return .default }
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM guard_policies WHERE organisation_id = \(bind: organisationID)").first() else {
                return .default
            }
            return TransferRules(
                thirdParty: .init(rawValue: try row.decode(column: "third_party", as: String.self)) ?? .mask,
                overseas: .init(rawValue: try row.decode(column: "overseas", as: String.self)) ?? .mask)
        }
    }

    /// Replaces an organisation's rules and records the change in the audit chain.
    public func set(_ rules: TransferRules, for organisationID: String, actor: String, audit: AuditLog) async throws {
        let now = Int(Date().timeIntervalSince1970)
        try await database.transaction { db in
            try await db.raw("DELETE FROM guard_policies WHERE organisation_id = \(bind: organisationID)").run()
            try await db.raw("""
                INSERT INTO guard_policies (organisation_id, third_party, overseas, updated_at)
                VALUES (\(bind: organisationID), \(bind: rules.thirdParty.rawValue), \(bind: rules.overseas.rawValue), \(bind: now))
                """).run()
            try await audit.append(AuditEntry(actor: actor, organisationID: organisationID, action: "guard.policy.set", target: organisationID,
                                              decision: "recorded", reason: "third_party=\(rules.thirdParty.rawValue),overseas=\(rules.overseas.rawValue)"), in: db)
        }
    }
}
