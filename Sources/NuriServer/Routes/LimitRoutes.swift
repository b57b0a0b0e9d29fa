import Hummingbird
import NuriGateway
import NuriIdentity

/// `/api/limits`: the REST face of `nuri admin limits`. Requests and tokens per minute and token
/// budgets of organisations and tokens.
///
/// | route | scope | who |
/// |---|---|---|
/// | `GET /api/limits` | read | operators every limit; others those of their organisations and of the tokens they may see |
/// | `GET /api/limits/orgs/{org}` | read | operators and the organisation's members |
/// | `PUT`, `DELETE /api/limits/orgs/{org}` | admin | operators (an organisation does not set its own quota) |
/// | `GET /api/limits/tokens/{token}` | read | operators, the token's owner, admins of the token's organisation |
/// | `PUT`, `DELETE /api/limits/tokens/{token}` | admin | operators and admins of the token's organisation |
///
/// An organisation or token the caller may not see answers 404, as if it did not exist. A
/// subject without limits reads as all `null` (unlimited). Changes apply to this server's next
/// request; other replicas pick them up within ``RateLimiter/cacheSeconds``.
struct LimitRoutes {
    let limits: LimitStore
    let limiter: RateLimiter
    let identity: IdentityStore
    let bodyLimit: Int

    /// One subject's limits, nulls meaning unlimited.
    struct Entry: ResponseEncodable {
        let subject: LimitSubject
        /// The organisation's name (organisation limits) or the token's organisation, if any.
        let organisation: String?
        let token: APIToken?
        let limits: Limits

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch subject {
            case .organisation: try container.encode("organisation", forKey: .subject)
            case .token: try container.encode("token", forKey: .subject)
            }
            try container.encode(organisation, forKey: .organisation)
            if let token {
                try container.encode(token.id, forKey: .token)
                try container.encode(token.prefix, forKey: .prefix)
            }
            try container.encode(limits.requestsPerMinute, forKey: .requestsPerMinute)
            try container.encode(limits.tokensPerMinute, forKey: .tokensPerMinute)
            try container.encode(limits.tokenBudget, forKey: .tokenBudget)
            try container.encode(limits.period.rawValue, forKey: .period)
        }

        enum Keys: String, CodingKey {
            case subject, organisation, token, prefix, period
            case requestsPerMinute = "requests_per_minute"
            case tokensPerMinute = "tokens_per_minute"
            case tokenBudget = "token_budget"
        }
    }

    struct SetLimits: Decodable {
        let requestsPerMinute: Int?
        let tokensPerMinute: Int?
        let tokenBudget: Int?
        let period: String?

        enum CodingKeys: String, CodingKey {
            case period
            case requestsPerMinute = "requests_per_minute"
            case tokensPerMinute = "tokens_per_minute"
            case tokenBudget = "token_budget"
        }

        /// The limits, each checked (at least 1; omit or null for no limit).
        func checked() throws(IdentityError) -> Limits {
            for (param, value) in [("requests_per_minute", requestsPerMinute), ("tokens_per_minute", tokensPerMinute), ("token_budget", tokenBudget)] {
                if let value, value < 1 {
                    throw .invalidInput(param: param, message: "\(param) must be at least 1 (omit it, or send null, for no limit)")
                }
            }
            guard let period = BudgetPeriod(rawValue: period ?? "month") else {
                throw .invalidInput(param: "period", message: "period must be day or month")
            }
            return Limits(requestsPerMinute: requestsPerMinute, tokensPerMinute: tokensPerMinute, tokenBudget: tokenBudget, period: period)
        }
    }

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.get("limits", use: list)
        group.get("limits/orgs/:org", use: showOrganisation)
        group.put("limits/orgs/:org", use: setOrganisation)
        group.delete("limits/orgs/:org", use: removeOrganisation)
        group.get("limits/tokens/:token", use: showToken)
        group.put("limits/tokens/:token", use: setToken)
        group.delete("limits/tokens/:token", use: removeToken)
    }

    // MARK: List

    @Sendable func list(_ request: Request, context: NuriRequestContext) async throws -> IdentityRoutes.List<Entry> {
        let principal = try context.require(.read)
        let organisations = Dictionary(uniqueKeysWithValues: try await identity.organisations().map { ($0.id, $0) })
        var entries: [Entry] = []
        for (subject, limits) in try await self.limits.entries() {
            switch subject {
            case .organisation(let id):
                guard let organisation = organisations[id], principal.canView(organisation) else { continue }
                entries.append(Entry(subject: subject, organisation: organisation.name, token: nil, limits: limits))
            case .token(let id):
                guard let token = try? await identity.token(id), canSee(token, principal) else { continue }
                entries.append(Entry(subject: subject, organisation: token.organisationID.flatMap { organisations[$0]?.name },
                                     token: token, limits: limits))
            }
        }
        return IdentityRoutes.List(data: entries)
    }

    // MARK: Organisations

    @Sendable func showOrganisation(_ request: Request, context: NuriRequestContext) async throws -> Entry {
        let principal = try context.require(.read)
        let organisation = try await visibleOrganisation(context, principal)
        let subject = LimitSubject.organisation(organisation.id)
        return Entry(subject: subject, organisation: organisation.name, token: nil, limits: try await limits.limits(for: subject) ?? Limits())
    }

    @Sendable func setOrganisation(_ request: Request, context: NuriRequestContext) async throws -> Entry {
        let principal = try context.require(.admin)
        let organisation = try await visibleOrganisation(context, principal)
        try principal.requireOperator("set an organisation's limits")
        let new = try await request.decodeJSON(SetLimits.self, limit: bodyLimit).checked()
        let subject = LimitSubject.organisation(organisation.id)
        try await limits.set(new, for: subject)
        limiter.forget(subject)
        return Entry(subject: subject, organisation: organisation.name, token: nil, limits: new)
    }

    @Sendable func removeOrganisation(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let organisation = try await visibleOrganisation(context, principal)
        try principal.requireOperator("remove an organisation's limits")
        let subject = LimitSubject.organisation(organisation.id)
        try await limits.remove(for: subject)
        limiter.forget(subject)
        return Response(status: .noContent)
    }

    // MARK: Tokens

    @Sendable func showToken(_ request: Request, context: NuriRequestContext) async throws -> Entry {
        let principal = try context.require(.read)
        let token = try await visibleToken(context, principal)
        let subject = LimitSubject.token(token.id)
        return Entry(subject: subject, organisation: try await organisationName(of: token), token: token,
                     limits: try await limits.limits(for: subject) ?? Limits())
    }

    @Sendable func setToken(_ request: Request, context: NuriRequestContext) async throws -> Entry {
        let principal = try context.require(.admin)
        let token = try await visibleToken(context, principal)
        try requireCanLimit(token, principal)
        let new = try await request.decodeJSON(SetLimits.self, limit: bodyLimit).checked()
        let subject = LimitSubject.token(token.id)
        try await limits.set(new, for: subject)
        limiter.forget(subject)
        return Entry(subject: subject, organisation: try await organisationName(of: token), token: token, limits: new)
    }

    @Sendable func removeToken(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let token = try await visibleToken(context, principal)
        try requireCanLimit(token, principal)
        let subject = LimitSubject.token(token.id)
        try await limits.remove(for: subject)
        limiter.forget(subject)
        return Response(status: .noContent)
    }

    // MARK: Who may do what

    private func visibleOrganisation(_ context: NuriRequestContext, _ principal: Principal) async throws -> Organisation {
        let name = try context.parameters.require("org")
        let organisation = try await identity.organisation(named: name)
        guard principal.canView(organisation) else { throw IdentityError.notFound(kind: "organisation", name: name) }
        return organisation
    }

    private func visibleToken(_ context: NuriRequestContext, _ principal: Principal) async throws -> APIToken {
        let idOrPrefix = try context.parameters.require("token")
        let token = try await identity.token(idOrPrefix)
        guard canSee(token, principal) else { throw IdentityError.notFound(kind: "token", name: idOrPrefix) }
        return token
    }

    /// Operators, the token's owner, and admins of the organisation the token acts in.
    private func canSee(_ token: APIToken, _ principal: Principal) -> Bool {
        principal.canManage(token) || administers(token, principal)
    }

    private func administers(_ token: APIToken, _ principal: Principal) -> Bool {
        guard let organisationID = token.organisationID, let role = principal.role(in: organisationID) else { return false }
        return role >= .admin
    }

    /// Operators, and admins of the token's organisation (so an organisation can divide its quota
    /// among its tokens). A token's owner may read its limits but not lift them.
    private func requireCanLimit(_ token: APIToken, _ principal: Principal) throws(IdentityError) {
        guard principal.isOperator || administers(token, principal) else {
            throw .forbidden("only a platform operator or an admin of the token's organisation may change a token's limits")
        }
    }

    private func organisationName(of token: APIToken) async throws -> String? {
        guard let id = token.organisationID else { return nil }
        return try await identity.organisations().first { $0.id == id }?.name
    }
}
