import Foundation
import Hummingbird
import NuriGuard
import NuriIdentity

/// The guard's REST face: the consent ledger (`/api/consents`, `/api/data-subjects/{id}`), an
/// organisation's transfer rules (`/api/guard/policy`) and the audit chain (`/api/audit`).
///
/// Consents are recorded by members of the controlling organisation (the front desk records
/// what the person agreed to); rules are set by its admins; the audit chain is read by the
/// platform's operators (all of it) and organisation admins (their organisation's records).
struct GuardRoutes {
    let services: GuardServices
    let identity: IdentityStore
    let bodyLimit: Int

    struct List<Item: Encodable & Sendable>: ResponseEncodable {
        let object = "list"
        let data: [Item]
    }

    struct GrantBody: Decodable {
        let organisation: String?
        let subject: String
        let kind: String
        let purpose: String
        let dataItems: [String]
        let recipient: String?
        let recipientPurpose: String?
        let retention: String
        let overseasCountry: String?
        /// The consent text shown; its SHA-256 is stored (give this or `text_hash`).
        let consentText: String?
        let textHash: String?
        let channel: String
        let expiresAt: Int?

        enum CodingKeys: String, CodingKey {
            case organisation, subject, kind, purpose, recipient, retention, channel
            case dataItems = "data_items"
            case recipientPurpose = "recipient_purpose"
            case overseasCountry = "overseas_country"
            case consentText = "consent_text"
            case textHash = "text_hash"
            case expiresAt = "expires_at"
        }
    }

    struct RulesBody: Decodable {
        let organisation: String?
        let thirdParty: String?
        let overseas: String?

        enum CodingKeys: String, CodingKey {
            case organisation, overseas
            case thirdParty = "third_party"
        }
    }

    struct RulesResponse: ResponseEncodable {
        let organisation: String
        let rules: TransferRules

        func encode(to encoder: any Encoder) throws {
            try rules.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(organisation, forKey: .organisation)
        }

        enum Keys: String, CodingKey { case organisation }
    }

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.post("consents", use: grant)
        group.get("consents", use: list)
        group.get("consents/:id", use: show)
        group.post("consents/:id/withdraw", use: withdraw)
        group.get("data-subjects/:subject", use: subjectView)
        group.get("guard/policy", use: rules)
        group.put("guard/policy", use: setRules)
        group.get("audit", use: auditRecords)
        group.get("audit/verify", use: verify)
    }

    // MARK: Consents

    @Sendable func grant(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<Consent> {
        let principal = try context.require(.write)
        let body = try await request.decodeJSON(GrantBody.self, limit: bodyLimit)
        let organisation = try await controller(body.organisation, for: principal, minimum: .member, to: "record its consents")
        let hash: String
        switch (body.consentText, body.textHash) {
        case (let text?, nil):
            hash = ConsentGrant.textHash(of: Data(text.utf8))
        case (nil, let given?):
            hash = given.lowercased()
        default:
            throw GuardError.invalidInput(param: "consent_text", message: "give exactly one of consent_text (the text shown to the person) or text_hash (its SHA-256)")
        }
        let grant = ConsentGrant(
            subject: body.subject, kind: try ConsentKind.parse(body.kind), purpose: body.purpose, dataItems: body.dataItems,
            recipient: body.recipient, recipientPurpose: body.recipientPurpose, retention: body.retention,
            overseasCountry: body.overseasCountry, textHash: hash, channel: body.channel, expiresAt: body.expiresAt)
        let consent = try await services.ledger.grant(grant, organisationID: organisation.id, actor: principal.user.id)
        return EditedResponse(status: .created, response: consent)
    }

    @Sendable func list(_ request: Request, context: NuriRequestContext) async throws -> List<Consent> {
        let principal = try context.require(.read)
        let query = request.uri.queryParameters
        let organisation = try await controller(query["organisation"].map(String.init), for: principal, minimum: .member, to: "see its consents")
        let kind = try query["kind"].map { try ConsentKind.parse(String($0)) }
        let consents = try await services.ledger.list(organisationID: organisation.id, subject: query["subject"].map(String.init), kind: kind,
                                                      activeOnly: query["active"] == "true")
        return List(data: consents)
    }

    @Sendable func show(_ request: Request, context: NuriRequestContext) async throws -> Consent {
        let principal = try context.require(.read)
        let consent = try await services.ledger.consent(try context.parameters.require("id"))
        guard principal.isOperator || principal.role(in: consent.organisationID) != nil else {
            throw GuardError.notFound("no consent '\(consent.id)'; list consents with GET /api/consents?subject=…")
        }
        return consent
    }

    @Sendable func withdraw(_ request: Request, context: NuriRequestContext) async throws -> Consent {
        let principal = try context.require(.write)
        let id = try context.parameters.require("id")
        let consent = try await services.ledger.consent(id)
        guard principal.isOperator || principal.role(in: consent.organisationID) != nil else {
            throw GuardError.notFound("no consent '\(id)'; list consents with GET /api/consents?subject=…")
        }
        return try await services.ledger.withdraw(id, organisationID: consent.organisationID, actor: principal.user.id)
    }

    @Sendable func subjectView(_ request: Request, context: NuriRequestContext) async throws -> SubjectView {
        let principal = try context.require(.read)
        let organisation = try await controller(request.uri.queryParameters["organisation"].map(String.init), for: principal,
                                                minimum: .member, to: "see its data subjects")
        return try await services.ledger.subjectView(organisationID: organisation.id, subject: try context.parameters.require("subject"))
    }

    // MARK: Transfer rules

    @Sendable func rules(_ request: Request, context: NuriRequestContext) async throws -> RulesResponse {
        let principal = try context.require(.read)
        let organisation = try await controller(request.uri.queryParameters["organisation"].map(String.init), for: principal,
                                                minimum: .member, to: "see its transfer rules")
        return RulesResponse(organisation: organisation.name, rules: try await services.rules.rules(for: organisation.id))
    }

    @Sendable func setRules(_ request: Request, context: NuriRequestContext) async throws -> RulesResponse {
        let principal = try context.require(.write)
        let body = try await request.decodeJSON(RulesBody.self, limit: bodyLimit)
        let organisation = try await controller(body.organisation, for: principal, minimum: .admin, to: "set its transfer rules")
        var rules = try await services.rules.rules(for: organisation.id)
        if let value = body.thirdParty { rules.thirdParty = try TransferRules.parse(value, param: "third_party") }
        if let value = body.overseas { rules.overseas = try TransferRules.parse(value, param: "overseas") }
        try await services.rules.set(rules, for: organisation.id, actor: principal.user.id, audit: services.audit)
        return RulesResponse(organisation: organisation.name, rules: rules)
    }

    // MARK: Audit

    @Sendable func auditRecords(_ request: Request, context: NuriRequestContext) async throws -> List<AuditRecord> {
        let principal = try context.require(.read)
        let query = request.uri.queryParameters
        var organisationID: String?
        if let name = query["organisation"].map(String.init) {
            let organisation = try await identity.organisation(named: name)
            try principal.requireRole(.admin, in: organisation, to: "read its audit records")
            organisationID = organisation.id
        } else {
            try principal.requireOperator("read the whole audit chain (organisation admins: add ?organisation=NAME)")
        }
        func time(_ key: Substring) throws -> Int? {
            guard let text = query[key] else { return nil }
            guard let value = Int(text) else {
                throw GuardError.invalidInput(param: String(key), message: "\(key) must be Unix seconds")
            }
            return value
        }
        let limit = try time("limit") ?? 1_000
        let records = try await services.audit.records(from: try time("from") ?? 0, to: try time("to") ?? .max,
                                                       organisationID: organisationID, limit: min(max(limit, 1), 10_000))
        return List(data: records)
    }

    @Sendable func verify(_ request: Request, context: NuriRequestContext) async throws -> AuditVerification {
        let principal = try context.require(.read)
        try principal.requireOperator("verify the audit chain")
        return try await services.audit.verify()
    }

    /// The organisation a guard request is about: the one named, else the token's, else the
    /// caller's only one. The caller must hold `minimum` in it (operators may act for any).
    func controller(_ name: String?, for principal: Principal, minimum: Role, to action: String) async throws -> Organisation {
        let organisation: Organisation
        if let name {
            organisation = try await identity.organisation(named: name)
        } else if let only = principal.token.organisationID ?? (principal.memberships.count == 1 ? principal.memberships[0].organisationID : nil) {
            organisation = try await identity.organisation(id: only)
        } else {
            throw GuardError.invalidInput(param: "organisation", message: "name the organisation (organisation=NAME): your token is not limited to one")
        }
        if principal.isOperator { return organisation }
        guard let role = principal.role(in: organisation.id) else {
            throw IdentityError.notFound(kind: "organisation", name: organisation.name)
        }
        guard role >= minimum else {
            throw IdentityError.forbidden("only an \(minimum.rawValue) of '\(organisation.name)' or an operator may \(action)")
        }
        return organisation
    }
}

extension Consent: ResponseEncodable {}
extension SubjectView: ResponseEncodable {}
extension AuditVerification: ResponseEncodable {}
extension AuditRecord: ResponseEncodable {}
