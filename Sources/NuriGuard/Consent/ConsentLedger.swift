import Foundation
import NuriStore
import SQLKit

/// The consent ledger in the database: grant, withdraw, look up, and the disclosures made under
/// consents. Every change also appends an audit record, in the same transaction, so the ledger
/// and the chain never disagree.
public struct ConsentLedger: Sendable {
    let database: Database
    let audit: AuditLog
    let now: @Sendable () -> Int

    public init(database: Database, audit: AuditLog, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.audit = audit
        self.now = now
    }

    /// Records a consent given to `organisationID`, by `actor` (the user recording it).
    public func grant(_ grant: ConsentGrant, organisationID: String, actor: String) async throws -> Consent {
        try grant.validate()
        let consent = Consent(
            id: RecordIdentifier.make("cns"), organisationID: organisationID, subject: grant.subject, kind: grant.kind,
            purpose: grant.purpose, dataItems: grant.dataItems, recipient: grant.recipient, recipientPurpose: grant.recipientPurpose,
            retention: grant.retention, overseasCountry: grant.overseasCountry?.uppercased(), textHash: grant.textHash,
            channel: grant.channel, grantedAt: grant.grantedAt ?? now(), expiresAt: grant.expiresAt, withdrawnAt: nil,
            recordedBy: actor, withdrawnBy: nil)
        let items = String(decoding: try JSONEncoder().encode(consent.dataItems), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO consents (id, organisation_id, subject, kind, purpose, data_items, recipient, recipient_purpose, retention,
                                      overseas_country, text_hash, channel, granted_at, expires_at, withdrawn_at, recorded_by, withdrawn_by)
                VALUES (\(bind: consent.id), \(bind: organisationID), \(bind: consent.subject), \(bind: consent.kind.rawValue),
                        \(bind: consent.purpose), \(bind: items), \(bind: consent.recipient), \(bind: consent.recipientPurpose),
                        \(bind: consent.retention), \(bind: consent.overseasCountry), \(bind: consent.textHash), \(bind: consent.channel),
                        \(bind: consent.grantedAt), \(bind: consent.expiresAt), \(bind: Int?.none), \(bind: actor), \(bind: String?.none))
                """).run()
            try await audit.append(AuditEntry(actor: actor, organisationID: organisationID, action: "consent.grant", target: consent.id,
                                              decision: "recorded", reason: consent.kind.rawValue,
                                              subjectHash: audit.keyedHash(subject: consent.subject)), in: db)
        }
        return consent
    }

    /// Withdraws a consent at once. Withdrawing twice is a conflict that says when it happened.
    public func withdraw(_ id: String, organisationID: String?, actor: String) async throws -> Consent {
        let at = now()
        return try await database.transaction { db in
            guard var consent = try await Self.find(id, in: db), organisationID == nil || consent.organisationID == organisationID else {
                throw GuardError.notFound("no consent '\(id)'; list consents with GET /api/consents?subject=…")
            }
            if let withdrawn = consent.withdrawnAt {
                throw GuardError.conflict("consent '\(id)' was already withdrawn at \(withdrawn) (Unix seconds)")
            }
            try await db.raw("UPDATE consents SET withdrawn_at = \(bind: at), withdrawn_by = \(bind: actor) WHERE id = \(bind: id)").run()
            consent.withdrawnAt = at
            consent.withdrawnBy = actor
            try await audit.append(AuditEntry(actor: actor, organisationID: consent.organisationID, action: "consent.withdraw", target: id,
                                              decision: "recorded", reason: consent.kind.rawValue,
                                              subjectHash: audit.keyedHash(subject: consent.subject)), in: db)
            return consent
        }
    }

    /// One consent, if it exists (and belongs to `organisationID` when given).
    public func consent(_ id: String, organisationID: String? = nil) async throws -> Consent {
        let found = try await database.read { db in try await Self.find(id, in: db) }
        guard let found, organisationID == nil || found.organisationID == organisationID else {
            throw GuardError.notFound("no consent '\(id)'; list consents with GET /api/consents?subject=…")
        }
        return found
    }

    /// Consents of an organisation, optionally of one subject and kind, newest first.
    public func list(organisationID: String?, subject: String? = nil, kind: ConsentKind? = nil, activeOnly: Bool = false) async throws -> [Consent] {
        let at = now()
        let rows = try await database.read { db in
            var query = SQLQueryString("SELECT * FROM consents WHERE 1 = 1")
            if let organisationID { query.appendInterpolation(unsafeRaw: " AND organisation_id = "); query.appendInterpolation(bind: organisationID) }
            if let subject { query.appendInterpolation(unsafeRaw: " AND subject = "); query.appendInterpolation(bind: subject) }
            if let kind { query.appendInterpolation(unsafeRaw: " AND kind = "); query.appendInterpolation(bind: kind.rawValue) }
            query.appendInterpolation(unsafeRaw: " ORDER BY granted_at DESC, id")
            return try await db.raw(query).all().map(Self.consent(from:))
        }
        return activeOnly ? rows.filter { $0.isActive(at: at) } : rows
    }

    /// The active consents that allow a transfer of `kind` of a subject's data to `recipient`
    /// for `purpose` (and, for overseas transfers, to `country`).
    public func matching(kind: ConsentKind, organisationID: String, subject: String, recipient: String?, purpose: String?,
                         country: String? = nil) async throws -> Consent? {
        let at = now()
        return try await list(organisationID: organisationID, subject: subject, kind: kind).first { consent in
            consent.isActive(at: at)
                && (recipient == nil || consent.recipient == recipient)
                && (purpose == nil || consent.purpose == purpose || consent.recipientPurpose == purpose)
                && (country == nil || consent.overseasCountry == country?.uppercased())
        }
    }

    /// Records that a subject's personal data went to a recipient under these consents.
    public func recordDisclosure(_ disclosure: Disclosure) async throws {
        let consents = String(decoding: try JSONEncoder().encode(disclosure.consentIDs), as: UTF8.self)
        let types = String(decoding: try JSONEncoder().encode(disclosure.entityTypes), as: UTF8.self)
        let at = now()
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO disclosures (id, organisation_id, subject, recipient, jurisdiction, relationship, consent_ids, entity_types, created_at)
                VALUES (\(bind: RecordIdentifier.make("dsc")), \(bind: disclosure.organisationID), \(bind: disclosure.subject), \(bind: disclosure.recipient),
                        \(bind: disclosure.jurisdiction), \(bind: disclosure.relationship), \(bind: consents), \(bind: types), \(bind: at))
                """).run()
        }
    }

    /// A data subject's view: every consent and every recipient that received their data.
    public func subjectView(organisationID: String, subject: String) async throws -> SubjectView {
        let consents = try await list(organisationID: organisationID, subject: subject)
        let recipients = try await database.read { db in
            try await db.raw("""
                SELECT recipient, jurisdiction, relationship, COUNT(*) AS times, MIN(created_at) AS first_at, MAX(created_at) AS last_at
                FROM disclosures WHERE organisation_id = \(bind: organisationID) AND subject = \(bind: subject)
                GROUP BY recipient, jurisdiction, relationship ORDER BY recipient
                """).all().map { row in
                SubjectView.Recipient(
                    recipient: try row.decode(column: "recipient", as: String.self),
                    jurisdiction: try row.decode(column: "jurisdiction", as: String.self),
                    relationship: try row.decode(column: "relationship", as: String.self),
                    times: try row.decode(column: "times", as: Int.self),
                    firstAt: try row.decode(column: "first_at", as: Int.self),
                    lastAt: try row.decode(column: "last_at", as: Int.self))
            }
        }
        return SubjectView(subject: subject, organisationID: organisationID, consents: consents, recipients: recipients)
    }

    static func find(_ id: String, in db: any SQLDatabase) async throws -> Consent? {
        try await db.raw("SELECT * FROM consents WHERE id = \(bind: id)").first().map(consent(from:))
    }

    static func consent(from row: any SQLRow) throws -> Consent {
        let items = try row.decode(column: "data_items", as: String.self)
        return Consent(
            id: try row.decode(column: "id", as: String.self),
            organisationID: try row.decode(column: "organisation_id", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            kind: ConsentKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .collectionUse,
            purpose: try row.decode(column: "purpose", as: String.self),
            dataItems: (try? JSONDecoder().decode([String].self, from: Data(items.utf8))) ?? [],
            recipient: try row.decode(column: "recipient", as: String?.self),
            recipientPurpose: try row.decode(column: "recipient_purpose", as: String?.self),
            retention: try row.decode(column: "retention", as: String.self),
            overseasCountry: try row.decode(column: "overseas_country", as: String?.self),
            textHash: try row.decode(column: "text_hash", as: String.self),
            channel: try row.decode(column: "channel", as: String.self),
            grantedAt: try row.decode(column: "granted_at", as: Int.self),
            expiresAt: try row.decode(column: "expires_at", as: Int?.self),
            withdrawnAt: try row.decode(column: "withdrawn_at", as: Int?.self),
            recordedBy: try row.decode(column: "recorded_by", as: String.self),
            withdrawnBy: try row.decode(column: "withdrawn_by", as: String?.self))
    }
}

/// A record that a subject's personal data was sent to a recipient outside the controller.
public struct Disclosure: Sendable, Hashable {
    public var organisationID: String
    public var subject: String
    public var recipient: String
    public var jurisdiction: String
    public var relationship: String
    public var consentIDs: [String]
    public var entityTypes: [String]

    public init(organisationID: String, subject: String, recipient: String, jurisdiction: String, relationship: String,
                consentIDs: [String], entityTypes: [String]) {
        self.organisationID = organisationID
        self.subject = subject
        self.recipient = recipient
        self.jurisdiction = jurisdiction
        self.relationship = relationship
        self.consentIDs = consentIDs
        self.entityTypes = entityTypes
    }
}

/// Everything a data subject may ask a controller about (PIPA Art. 35): their consents and who
/// received their data.
public struct SubjectView: Sendable, Codable {
    public struct Recipient: Sendable, Codable, Hashable {
        public var recipient: String
        public var jurisdiction: String
        public var relationship: String
        public var times: Int
        public var firstAt: Int
        public var lastAt: Int

        enum CodingKeys: String, CodingKey {
            case recipient, jurisdiction, relationship, times
            case firstAt = "first_at"
            case lastAt = "last_at"
        }
    }

    public var subject: String
    public var organisationID: String
    public var consents: [Consent]
    public var recipients: [Recipient]

    enum CodingKeys: String, CodingKey {
        case subject, consents, recipients
        case organisationID = "organisation_id"
    }
}
