import Hummingbird
import NuriIdentity

/// `/api/orgs`, `/api/users` and `/api/tokens`: the REST face of the `nuri admin` commands.
///
/// Reading needs the `read` scope, changing needs `write`, and creating organisations and users
/// needs `admin` plus the role (operator, or owner/admin of the organisation).
struct IdentityRoutes {
    let identity: IdentityStore
    let bodyLimit: Int

    /// `{"object": "list", "data": [...]}`, as OpenAI lists things.
    struct List<Item: Encodable & Sendable>: ResponseEncodable {
        let object = "list"
        let data: [Item]
    }

    struct OrganisationDetail: ResponseEncodable {
        let organisation: Organisation
        let members: [Member]

        struct Member: Encodable, Sendable {
            let user: String
            let role: Role
        }

        func encode(to encoder: any Encoder) throws {
            try organisation.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(members, forKey: .members)
        }

        enum Keys: String, CodingKey { case members }
    }

    struct UserDetail: ResponseEncodable {
        let user: User
        let memberships: [Membership]

        func encode(to encoder: any Encoder) throws {
            try user.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(memberships, forKey: .memberships)
        }

        enum Keys: String, CodingKey { case memberships }
    }

    struct CreatedToken: ResponseEncodable {
        let record: APIToken
        /// The secret, shown this once.
        let token: String

        func encode(to encoder: any Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(token, forKey: .token)
        }

        enum Keys: String, CodingKey { case token }
    }

    struct CreateOrganisation: Decodable {
        let name: String
        let sector: String
    }

    struct CreateUser: Decodable {
        let name: String
        let org: String?
        let role: String?
    }

    struct SetMembership: Decodable {
        let role: String
    }

    struct CreateToken: Decodable {
        let name: String?
        let scopes: [String]
        let user: String?
        let org: String?
        /// `30d`, `12h`, … or `never` (the default).
        let expiresIn: String?

        enum CodingKeys: String, CodingKey {
            case name, scopes, user, org
            case expiresIn = "expires_in"
        }
    }

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.get("orgs", use: listOrganisations)
        group.post("orgs", use: createOrganisation)
        group.get("orgs/:org", use: showOrganisation)
        group.put("orgs/:org/members/:user", use: setMembership)
        group.get("users", use: listUsers)
        group.post("users", use: createUser)
        group.get("users/:user", use: showUser)
        group.get("tokens", use: listTokens)
        group.post("tokens", use: createToken)
        group.delete("tokens/:token", use: revokeToken)
    }

    // MARK: Organisations

    @Sendable func listOrganisations(_ request: Request, context: NuriRequestContext) async throws -> List<Organisation> {
        let principal = try context.require(.read)
        let all = try await identity.organisations()
        return List(data: all.filter(principal.canView))
    }

    @Sendable func createOrganisation(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<Organisation> {
        let principal = try context.require(.admin)
        try principal.requireOperator("create organisations")
        let body = try await request.decodeJSON(CreateOrganisation.self, limit: bodyLimit)
        let organisation = try await identity.createOrganisation(name: body.name, sector: try Sector.parse(body.sector))
        return EditedResponse(status: .created, response: organisation)
    }

    @Sendable func showOrganisation(_ request: Request, context: NuriRequestContext) async throws -> OrganisationDetail {
        let principal = try context.require(.read)
        let organisation = try await visibleOrganisation(context.parameters.require("org"), for: principal)
        let users = try await identity.users(inOrganisation: organisation.id)
        var members: [OrganisationDetail.Member] = []
        for user in users {
            let role = try await identity.memberships(ofUser: user.id).first { $0.organisationID == organisation.id }?.role ?? .member
            members.append(.init(user: user.name, role: role))
        }
        return OrganisationDetail(organisation: organisation, members: members)
    }

    @Sendable func setMembership(_ request: Request, context: NuriRequestContext) async throws -> UserDetail {
        let principal = try context.require(.admin)
        let organisation = try await visibleOrganisation(context.parameters.require("org"), for: principal)
        let body = try await request.decodeJSON(SetMembership.self, limit: bodyLimit)
        let role = try Role.parse(body.role)
        try principal.requireCanGrant(role, in: organisation)
        let userName = try context.parameters.require("user")
        try await identity.setMembership(user: userName, organisation: organisation.name, role: role)
        let user = try await identity.user(named: userName)
        return UserDetail(user: user, memberships: try await identity.memberships(ofUser: user.id))
    }

    // MARK: Users

    @Sendable func listUsers(_ request: Request, context: NuriRequestContext) async throws -> List<User> {
        let principal = try context.require(.read)
        if principal.isOperator { return List(data: try await identity.users()) }
        var seen = Set<String>()
        var users: [User] = []
        for membership in principal.memberships {
            for user in try await identity.users(inOrganisation: membership.organisationID) where seen.insert(user.id).inserted {
                users.append(user)
            }
        }
        return List(data: users.sorted { $0.name < $1.name })
    }

    @Sendable func createUser(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<UserDetail> {
        let principal = try context.require(.admin)
        let body = try await request.decodeJSON(CreateUser.self, limit: bodyLimit)
        let role = try body.role.map(Role.parse) ?? .member
        if let orgName = body.org {
            let organisation = try await visibleOrganisation(orgName, for: principal)
            try principal.requireCanGrant(role, in: organisation)
        } else {
            try principal.requireOperator("create users outside an organisation")
        }
        let user = try await identity.createUser(name: body.name, organisation: body.org, role: role)
        return EditedResponse(status: .created, response: UserDetail(user: user, memberships: try await identity.memberships(ofUser: user.id)))
    }

    @Sendable func showUser(_ request: Request, context: NuriRequestContext) async throws -> UserDetail {
        let principal = try context.require(.read)
        let name = try context.parameters.require("user")
        let user = try await identity.user(named: name)
        let memberships = try await identity.memberships(ofUser: user.id)
        let sharesOrganisation = memberships.contains { principal.role(in: $0.organisationID) != nil }
        // Someone the caller may not know of answers like someone who does not exist.
        guard principal.isOperator || user.id == principal.user.id || sharesOrganisation else {
            throw IdentityError.notFound(kind: "user", name: name)
        }
        return UserDetail(user: user, memberships: memberships)
    }

    // MARK: Tokens

    @Sendable func listTokens(_ request: Request, context: NuriRequestContext) async throws -> List<APIToken> {
        let principal = try context.require(.read)
        if let userName = request.uri.queryParameters["user"] {
            let user = try await identity.user(named: String(userName))
            guard principal.isOperator || user.id == principal.user.id else {
                throw IdentityError.forbidden("only a platform operator may list another user's tokens")
            }
            return List(data: try await identity.tokens(ofUser: user.id))
        }
        return List(data: try await identity.tokens(ofUser: principal.isOperator ? nil : principal.user.id))
    }

    @Sendable func createToken(_ request: Request, context: NuriRequestContext) async throws -> EditedResponse<CreatedToken> {
        let principal = try context.require(.write)
        let body = try await request.decodeJSON(CreateToken.self, limit: bodyLimit)
        let scopes = try Scope.parseList(body.scopes.joined(separator: ","))
        let user: User
        if let name = body.user { user = try await identity.user(named: name) } else { user = principal.user }
        try principal.requireCanIssueToken(for: user, scopes: scopes)
        // A token scoped to an organisation can only mint tokens for that organisation.
        var organisation = body.org
        if let only = principal.token.organisationID, !principal.isOperator {
            guard let name = principal.memberships.first(where: { $0.organisationID == only })?.organisationName,
                  organisation == nil || organisation == name
            else { throw IdentityError.forbidden("this token acts only within its organisation") }
            organisation = name
        }
        let lifetime = try body.expiresIn.flatMap(TokenLifetime.parse)
        let issued = try await identity.issueToken(
            user: user.name, organisation: organisation, name: body.name ?? "api", scopes: scopes, lifetime: lifetime)
        return EditedResponse(status: .created, response: CreatedToken(record: issued.token, token: issued.secret.value))
    }

    @Sendable func revokeToken(_ request: Request, context: NuriRequestContext) async throws -> APIToken {
        let principal = try context.require(.write)
        let idOrPrefix = try context.parameters.require("token")
        let token = try await identity.token(idOrPrefix)
        guard principal.canManage(token) else {
            throw IdentityError.notFound(kind: "token", name: idOrPrefix)
        }
        return try await identity.revokeToken(token.id)
    }

    // MARK: Helpers

    /// The organisation, if the caller may see it; otherwise 404, so that its existence does not leak.
    private func visibleOrganisation(_ name: String, for principal: Principal) async throws -> Organisation {
        let organisation = try await identity.organisation(named: name)
        guard principal.canView(organisation) else { throw IdentityError.notFound(kind: "organisation", name: name) }
        return organisation
    }
}

extension Organisation: ResponseEncodable {}
extension User: ResponseEncodable {}
extension APIToken: ResponseEncodable {}
