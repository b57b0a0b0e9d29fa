import Foundation
import Hummingbird
import NuriHub
import NuriIdentity

/// `/api/nuri/repos/{models|datasets}/{owner}/{name}/…`: what the Hub's API has no words for —
/// visibility by sector, invited organisations, access requests with reasons and decisions,
/// lineage, downloads per day. Errors have Nuri's (OpenAI) shape.
struct NuriRepositoryRoutes {
    let store: HubStore
    let bodyLimit: Int

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.get(":type/:owner/:name") { request, context in try await details(request, context) }
        group.put(":type/:owner/:name/visibility") { request, context in try await setVisibility(request, context) }
        group.post(":type/:owner/:name/grants") { request, context in try await invite(request, context) }
        group.delete(":type/:owner/:name/grants/:org") { request, context in try await revoke(request, context) }
        group.post(":type/:owner/:name/access-requests") { request, context in try await requestAccess(request, context) }
        group.get(":type/:owner/:name/access-requests") { request, context in try await accessRequests(request, context) }
        group.post(":type/:owner/:name/access-requests/:user") { request, context in try await decide(request, context) }
    }

    func target(_ context: NuriRequestContext) throws -> (RepositoryID, RepositoryKind, HubCaller) {
        guard let kind = RepositoryKind(text: context.parameters.get("type") ?? "") else {
            throw HubError.invalidInput(param: "type", message: "the path names 'models' or 'datasets'")
        }
        return (try HubURLs.repositoryID(context), kind, HubCaller(principal: context.principal))
    }

    func requireWriteScope(_ caller: HubCaller) throws {
        guard let principal = caller.principal else { throw HubError.unauthenticated("sign in: send `Authorization: Bearer nuri_…`") }
        guard principal.token.scopes.contains(.write) else {
            throw HubError.forbidden("this token lacks the 'write' scope; create a token with --scopes including write")
        }
    }

    func details(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        let (repository, level) = try await store.access(id, kind: kind, caller: caller)
        let head = try await store.resolve("main", in: repository)
        let references = try await store.references(of: repository)
        var object: [String: Any] = [
            "id": id.description, "kind": kind.rawValue, "owner": repository.repositoryID.owner,
            "visibility": repository.visibility.rawValue, "sectors": repository.sectors.map(\.rawValue),
            "access": ["none", "metadata", "read", "write", "admin"][level.rawValue],
            "sha": head.id, "created_at": repository.createdAt, "updated_at": repository.updatedAt,
            "license": repository.card.license ?? NSNull(), "languages": repository.card.languages, "tags": repository.card.tags,
            "pipeline_tag": repository.card.pipelineTag ?? NSNull(),
            "base_models": repository.card.baseModels,
            "derived_models": try await store.derivedRepositories(of: id, caller: caller).map(\.description),
            "branches": references.filter { $0.kind == .branch }.map { ["name": $0.name, "commit": $0.commitID] },
            "tags_refs": references.filter { $0.kind == .tag }.map { ["name": $0.name, "commit": $0.commitID] },
            "used_storage": try await store.usedStorage(repository),
            "downloads_per_day": try await store.downloadsPerDay(repository).map { ["day": String(HubURLs.date($0.day * 86_400).prefix(10)), "count": $0.count] },
            "history": try await store.history(from: head, limit: 100).map {
                ["id": $0.id, "title": $0.title, "author": $0.authorName ?? NSNull(), "created_at": $0.createdAt] as [String: Any]
            },
        ]
        if level == .admin {
            object["invited_organisations"] = try await store.invitedOrganisations(repository)
        }
        return try HubURLs.json(object)
    }

    struct VisibilityBody: Decodable {
        let visibility: String
        let sectors: [String]?
    }

    func setVisibility(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        try requireWriteScope(caller)
        let body = try await request.decodeJSON(VisibilityBody.self, limit: bodyLimit)
        let visibility = try Visibility.parse(body.visibility)
        var sectors: [Sector] = []
        for text in body.sectors ?? [] {
            guard let sector = Sector(rawValue: text.lowercased()) else {
                throw HubError.invalidInput(param: "sectors", message: "unknown sector '\(text.prefix(20))'; use public, private, academic or startup")
            }
            sectors.append(sector)
        }
        let repository = try await store.setVisibility(id, kind: kind, visibility: visibility, sectors: sectors, caller: caller)
        return try HubURLs.json(["id": id.description, "visibility": repository.visibility.rawValue, "sectors": repository.sectors.map { $0.rawValue }])
    }

    struct InviteBody: Decodable {
        let org: String
    }

    func invite(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        try requireWriteScope(caller)
        let body = try await request.decodeJSON(InviteBody.self, limit: bodyLimit)
        try await store.invite(organisation: body.org, to: id, kind: kind, caller: caller)
        return try HubURLs.json(["id": id.description, "org": body.org, "granted": true])
    }

    func revoke(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        try requireWriteScope(caller)
        let org = try HubURLs.decode(context.parameters.get("org") ?? "")
        try await store.revokeInvitation(organisation: org, from: id, kind: kind, caller: caller)
        return try HubURLs.json(["id": id.description, "org": org, "granted": false])
    }

    struct AccessBody: Decodable {
        let reason: String
    }

    func requestAccess(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        guard caller.principal != nil else { throw HubError.unauthenticated("sign in to ask for access: send `Authorization: Bearer nuri_…`") }
        let body = try await request.decodeJSON(AccessBody.self, limit: bodyLimit)
        let made = try await store.requestAccess(to: id, kind: kind, reason: body.reason, caller: caller)
        return try HubURLs.json(Self.object(made), status: .created)
    }

    func accessRequests(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        let repository = try await store.require(.admin, on: id, kind: kind, caller: caller)
        let status = try request.uri.queryParameters.get("status").map { text throws -> AccessRequest.Status in
            guard let status = AccessRequest.Status(rawValue: text) else {
                throw HubError.invalidInput(param: "status", message: "status is pending, accepted or rejected")
            }
            return status
        }
        return try HubURLs.json(["object": "list", "data": try await store.accessRequests(repository, status: status).map(Self.object)])
    }

    struct DecisionBody: Decodable {
        let status: String
        let note: String?
    }

    func decide(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (id, kind, caller) = try target(context)
        try requireWriteScope(caller)
        let body = try await request.decodeJSON(DecisionBody.self, limit: bodyLimit)
        guard let status = AccessRequest.Status(rawValue: body.status), status != .pending else {
            throw HubError.invalidInput(param: "status", message: "status is accepted or rejected")
        }
        let user = try HubURLs.decode(context.parameters.get("user") ?? "")
        let decided = try await store.decideAccess(to: id, kind: kind, user: user, status: status, note: body.note, caller: caller)
        return try HubURLs.json(Self.object(decided))
    }

    static func object(_ request: AccessRequest) -> [String: Any] {
        ["id": request.id, "user": request.userName, "reason": request.reason, "status": request.status.rawValue,
         "created_at": request.createdAt, "decided_by": request.decidedBy ?? NSNull(), "decided_at": request.decidedAt ?? NSNull(),
         "note": request.decisionNote ?? NSNull()]
    }
}
