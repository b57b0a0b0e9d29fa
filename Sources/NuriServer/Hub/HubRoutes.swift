import Foundation
import Hummingbird
import NuriHub
import NuriIdentity

/// The Hugging Face Hub's HTTP API, as `huggingface_hub` uses it (`HF_ENDPOINT=http://nuri:8080`):
/// repository info and listing, trees, downloads with ranges, and uploads (preupload, the LFS
/// batch API with signed upload URLs, NDJSON commits). See `docs/ARCHITECTURE.md` for the contract.
///
/// Every route is reachable anonymously (public repositories are public); a presented token is
/// checked, and what a caller may see is decided by ``RepositoryAccess``.
struct HubRoutes {
    let store: HubStore
    let bodyLimit: Int
    let fileIO = FileIO()

    /// Files at least this large (or binary) go through LFS; smaller ones travel base64 inside
    /// the commit body, whose lines must stay under the body limit.
    var lfsThreshold: Int { min(1 << 20, max(1024, bodyLimit * 3 / 4 - 4096)) }

    /// Adds the routes: `api` is a group at `/api` and `root` a group at `/`, both with optional
    /// authentication and ``HubErrorMiddleware``.
    func add(api: RouterGroup<NuriRequestContext>, root: RouterGroup<NuriRequestContext>) {
        api.get("whoami-v2") { _, context in try whoami(context) }
        api.post("repos/create") { request, context in try await createRepository(request, context) }
        api.post("validate-yaml") { request, _ in try await validateYAML(request) }
        for kind in RepositoryKind.allCases {
            let prefix = kind.plural
            api.get(RouterPath(prefix)) { request, context in try await list(kind, request, context) }
            api.get("\(prefix)/:owner/:name") { request, context in try await info(kind, nil, request, context) }
            api.get("\(prefix)/:owner/:name/revision/:revision") { request, context in
                try await info(kind, try HubURLs.revision(context), request, context)
            }
            api.get("\(prefix)/:owner/:name/tree/:revision") { request, context in try await tree(kind, request, context, below: false) }
            api.get("\(prefix)/:owner/:name/tree/:revision/**") { request, context in try await tree(kind, request, context, below: true) }
            api.post("\(prefix)/:owner/:name/preupload/:revision") { request, context in try await preupload(kind, request, context) }
            api.post("\(prefix)/:owner/:name/commit/:revision") { request, context in try await commit(kind, request, context) }
            api.put("\(prefix)/:owner/:name/settings") { request, context in try await settings(kind, request, context) }
            api.post("\(prefix)/:owner/:name/user-access-request/handle") { request, context in try await handleAccess(kind, request, context, grant: false) }
            api.post("\(prefix)/:owner/:name/user-access-request/grant") { request, context in try await handleAccess(kind, request, context, grant: true) }
            api.get("\(prefix)/:owner/:name/user-access-request/:status") { request, context in try await accessRequests(kind, request, context) }
            api.get("\(prefix)/:owner/:name/refs") { _, context in try await references(kind, context) }
            api.get("\(prefix)/:owner/:name/commits/:revision") { request, context in try await commits(kind, request, context) }
            api.post("\(prefix)/:owner/:name/branch/:branch") { request, context in try await createReference(.branch, kind, request, context) }
            api.post("\(prefix)/:owner/:name/tag/:revision") { request, context in try await createReference(.tag, kind, request, context) }

            let files = kind == .model ? root : root.group(RouterPath(kind.urlPrefix.replacingOccurrences(of: "/", with: "")))
            files.get(":owner/:name/resolve/:revision/**") { request, context in try await resolve(kind, request, context) }
            files.head(":owner/:name/resolve/:revision/**") { request, context in try await resolve(kind, request, context) }
            files.post(":owner/:name/info/lfs/objects/batch") { request, context in try await lfsBatch(kind, request, context) }
            files.post(":owner/:name/info/lfs/objects/verify") { request, context in try await lfsVerify(kind, request, context) }
        }
        api.put("nuri/uploads/:upload") { request, context in try await receiveUpload(request, context) }
    }

    func caller(_ context: NuriRequestContext) -> HubCaller { HubCaller(principal: context.principal) }

    // MARK: whoami, create, validate-yaml

    func whoami(_ context: NuriRequestContext) throws -> Response {
        guard let principal = context.principal else {
            throw HubError.unauthenticated("Invalid user token: send `Authorization: Bearer nuri_…`")
        }
        let orgs: [[String: Any]] = principal.memberships.map { ["type": "org", "name": $0.organisationName, "roleInOrg": $0.role.rawValue, "sector": $0.sector.rawValue] }
        return try HubURLs.json([
            "type": "user", "id": principal.user.id, "name": principal.user.name, "fullname": principal.user.name,
            "isOperator": principal.isOperator, "orgs": orgs,
            "auth": ["type": "access_token",
                     "accessToken": ["displayName": principal.token.name, "role": principal.token.scopes.contains(.write) ? "write" : "read"]],
        ])
    }

    struct CreateRequest: Decodable {
        let name: String
        let organization: String?
        let type: String?
        let visibility: String?
        let `private`: Bool?
        let sectors: [String]?
    }

    func createRepository(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(CreateRequest.self, limit: bodyLimit)
        guard let kind = RepositoryKind(text: body.type ?? "model") else {
            throw HubError.invalidInput(param: "type", message: "Nuri hosts models and datasets, not '\((body.type ?? "").prefix(20))'")
        }
        let caller = caller(context)
        guard let owner = body.organization ?? caller.principal?.user.name else {
            throw HubError.unauthenticated("sign in to create repositories: send `Authorization: Bearer nuri_…`")
        }
        let id = try RepositoryID(owner: owner, name: body.name)
        var visibility = Visibility.public
        if let text = body.visibility { visibility = try Visibility.parse(text) } else if body.private == true { visibility = .private }
        let sectors = try (body.sectors ?? []).map { text throws(HubError) -> Sector in
            guard let sector = Sector(rawValue: text.lowercased()) else {
                throw HubError.invalidInput(param: "sectors", message: "unknown sector '\(text.prefix(20))'")
            }
            return sector
        }
        let repository = try await store.createRepository(id, kind: kind, visibility: visibility, sectors: sectors, caller: caller)
        return try HubURLs.json(["url": HubURLs.repository(repository.repositoryID, kind: kind, request: request),
                                 "name": repository.repositoryID.description, "id": repository.repositoryID.description])
    }

    struct ValidateRequest: Decodable {
        let content: String
        let repoType: String?
    }

    func validateYAML(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(ValidateRequest.self, limit: bodyLimit)
        let validation = ModelCard.validate(body.content, requireLicense: false)
        var warnings = validation.warnings
        if validation.errors.isEmpty && validation.fields.json != nil && validation.fields.license == nil {
            warnings.append("no 'license' in the card: public repositories need one")
        }
        return try HubURLs.json(
            ["errors": validation.errors.map { ["message": $0] }, "warnings": warnings.map { ["message": $0] }],
            status: validation.errors.isEmpty ? .ok : .badRequest)
    }

    // MARK: info, list, tree

    func info(_ kind: RepositoryKind, _ revision: String?, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (repository, _) = try await store.access(try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let commit = try await store.resolve(revision ?? "main", in: repository)
        let object = try await describe(repository, commit: commit, siblings: true,
                                        blobs: request.uri.queryParameters.get("blobs") == "true", card: true)
        return try HubURLs.json(object)
    }

    /// The Hub's model object (`ModelInfo`): identity, head commit, card fields, counts and files.
    func describe(_ repository: Repository, commit: Commit?, siblings: Bool, blobs: Bool, card: Bool) async throws -> [String: Any] {
        let id = repository.repositoryID.description
        var object: [String: Any] = [
            "_id": repository.id, "id": id, "modelId": id, "author": repository.repositoryID.owner,
            "private": repository.visibility == .private, "gated": repository.visibility == .gated ? "manual" : false,
            "disabled": false, "likes": 0, "tags": HubStore.labels(repository.card),
            "createdAt": HubURLs.date(repository.createdAt), "lastModified": HubURLs.date(commit?.createdAt ?? repository.updatedAt),
        ]
        let downloads = try await store.downloads(repository)
        object["downloads"] = downloads.recent
        object["downloadsAllTime"] = downloads.allTime
        if let pipeline = repository.card.pipelineTag { object["pipeline_tag"] = pipeline }
        if let library = repository.card.libraryName { object["library_name"] = library }
        if card, let json = repository.card.json, let data = json.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) {
            object["cardData"] = value
        }
        if let commit {
            object["sha"] = commit.id
            if siblings {
                let tree = try await store.tree(of: commit)
                object["siblings"] = tree.map { entry -> [String: Any] in
                    var sibling: [String: Any] = ["rfilename": entry.path.value]
                    if blobs {
                        sibling["size"] = entry.size
                        sibling["blobId"] = entry.gitOID
                        if entry.isLFS { sibling["lfs"] = ["size": entry.size, "sha256": entry.sha256, "pointerSize": entry.pointerSize] }
                    }
                    return sibling
                }
                object["usedStorage"] = try await store.usedStorage(repository)
            }
        }
        return object
    }

    func list(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = HubStore.ListQuery(kind: kind)
        query.search = parameters.get("search")
        query.author = parameters.get("author")
        query.filters = parameters.getAll("filter") + (parameters.get("pipeline_tag").map { [$0] } ?? [])
        query.sort = parameters.get("sort")
        var found = try await store.list(query, caller: caller(context))
        if let gated = parameters.get("gated") { found = found.filter { ($0.0.visibility == .gated) == (gated == "true") } }
        let (page, headers) = HubURLs.page(found, request: request)
        let full = parameters.get("full") == "true"
        let card = parameters.get("cardData") == "true" || full
        var objects: [[String: Any]] = []
        for (repository, _) in page {
            let commit = full ? try await store.resolve("main", in: repository) : nil
            objects.append(try await describe(repository, commit: commit, siblings: full, blobs: false, card: card))
        }
        return try HubURLs.json(objects, headers: headers)
    }

    func tree(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext, below: Bool) async throws -> Response {
        let (repository, _) = try await store.access(try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let commit = try await store.resolve(try HubURLs.revision(context), in: repository)
        let base = below ? try HubURLs.filePath(context).value : ""
        let recursive = request.uri.queryParameters.get("recursive") == "true"
        let entries = try await store.tree(of: commit)
        var folders = Set<String>()
        var items: [(path: String, object: [String: Any])] = []
        let prefix = base.isEmpty ? "" : base + "/"
        for entry in entries where entry.path.value.hasPrefix(prefix) {
            let rest = entry.path.value.dropFirst(prefix.count)
            let depth = rest.split(separator: "/").count
            for folder in entry.path.folders where folder.hasPrefix(prefix) && folder.count > prefix.count {
                let folderDepth = folder.dropFirst(prefix.count).split(separator: "/").count
                if (recursive || folderDepth == 1) && folders.insert(folder).inserted {
                    items.append((folder, ["type": "directory", "oid": GitObjectID.blob(Array(folder.utf8)), "size": 0, "path": folder]))
                }
            }
            guard recursive || depth == 1 else { continue }
            var object: [String: Any] = ["type": "file", "oid": entry.gitOID, "size": entry.size, "path": entry.path.value]
            if entry.isLFS { object["lfs"] = ["oid": entry.sha256, "size": entry.size, "pointerSize": entry.pointerSize] }
            items.append((entry.path.value, object))
        }
        if !base.isEmpty && items.isEmpty {
            throw HubError.entryNotFound(path: base, commit: commit.id)
        }
        items.sort { $0.path < $1.path }
        let (page, headers) = HubURLs.page(items.map(\.object), request: request)
        return try HubURLs.json(page, headers: headers)
    }

    // MARK: branches, tags, history

    func references(_ kind: RepositoryKind, _ context: NuriRequestContext) async throws -> Response {
        let (repository, _) = try await store.access(try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let references = try await store.references(of: repository)
        func objects(_ wanted: Reference.Kind, _ prefix: String) -> [[String: Any]] {
            references.filter { $0.kind == wanted }.map { ["name": $0.name, "ref": prefix + $0.name, "targetCommit": $0.commitID] }
        }
        return try HubURLs.json(["branches": objects(.branch, "refs/heads/"), "tags": objects(.tag, "refs/tags/"),
                                 "converts": [Any](), "pullRequests": [Any]()])
    }

    func commits(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let (repository, _) = try await store.access(try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let head = try await store.resolve(try HubURLs.revision(context), in: repository)
        let history = try await store.history(from: head, limit: 100_000).map { commit -> [String: Any] in
            ["id": commit.id, "title": commit.title, "message": commit.description, "date": HubURLs.date(commit.createdAt),
             "authors": commit.authorName.map { [["user": $0]] } ?? []]
        }
        let (page, headers) = HubURLs.page(history, request: request, defaultLimit: 50)
        return try HubURLs.json(page, headers: headers)
    }

    struct ReferenceRequest: Decodable {
        let tag: String?
        let startingPoint: String?
    }

    /// `POST …/branch/{branch}` `{"startingPoint"?}` and `POST …/tag/{revision}` `{"tag"}`.
    func createReference(_ referenceKind: Reference.Kind, _ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let repository = try await store.require(.write, on: try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let buffer = try await request.body.collect(upTo: bodyLimit)
        let body = buffer.readableBytes == 0 ? ReferenceRequest(tag: nil, startingPoint: nil)
            : try JSONDecoder().decode(ReferenceRequest.self, from: Data(buffer.readableBytesView))
        let name: String
        let target: Commit
        if referenceKind == .branch {
            name = try HubURLs.decode(context.parameters.get("branch") ?? "")
            target = try await store.resolve(body.startingPoint ?? "main", in: repository)
        } else {
            guard let tag = body.tag else { throw HubError.invalidInput(param: "tag", message: "name the tag: {\"tag\": \"v1\"}") }
            name = tag
            target = try await store.resolve(try HubURLs.revision(context), in: repository)
        }
        try await store.createReference(referenceKind, named: name, at: target, in: repository)
        return try HubURLs.json(["name": name, "targetCommit": target.id])
    }

    // MARK: settings and access requests (the Hub's admin endpoints)

    struct SettingsRequest: Decodable {
        let gated: GatedValue?
        let visibility: String?
        let `private`: Bool?

        /// `"manual"`, `"auto"` or `false`.
        struct GatedValue: Decodable {
            let on: Bool
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) { on = flag } else { on = try container.decode(String.self) != "false" }
            }
        }
    }

    func settings(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SettingsRequest.self, limit: bodyLimit)
        let id = try HubURLs.repositoryID(context)
        let caller = caller(context)
        let repository = try await store.require(.admin, on: id, kind: kind, caller: caller)
        var visibility = repository.visibility
        if let text = body.visibility { visibility = try Visibility.parse(text) }
        if let flag = body.private { visibility = flag ? .private : (visibility == .private ? .public : visibility) }
        if let gated = body.gated { visibility = gated.on ? .gated : (visibility == .gated ? .public : visibility) }
        _ = try await store.setVisibility(id, kind: kind, visibility: visibility, sectors: repository.sectors, caller: caller)
        return try HubURLs.json([:] as [String: Any])
    }

    struct HandleRequest: Decodable {
        let user: String
        let status: String?
        let rejectionReason: String?
    }

    func handleAccess(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext, grant: Bool) async throws -> Response {
        let body = try await request.decodeJSON(HandleRequest.self, limit: bodyLimit)
        let status: AccessRequest.Status
        if grant {
            status = .accepted
        } else {
            guard let parsed = AccessRequest.Status(rawValue: body.status ?? "") else {
                throw HubError.invalidInput(param: "status", message: "status must be accepted, rejected or pending")
            }
            status = parsed
        }
        let decided = try await store.decideAccess(to: try HubURLs.repositoryID(context), kind: kind, user: body.user, status: status,
                                                   note: body.rejectionReason, caller: caller(context))
        return try HubURLs.json(["user": decided.userName, "status": decided.status.rawValue])
    }

    func accessRequests(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        guard let status = AccessRequest.Status(rawValue: context.parameters.get("status") ?? "") else {
            throw HubError.invalidInput(param: "status", message: "list pending, accepted or rejected requests")
        }
        let repository = try await store.require(.admin, on: try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let requests = try await store.accessRequests(repository, status: status)
        let objects: [[String: Any]] = requests.map {
            ["user": ["user": $0.userName, "fullname": $0.userName], "requestId": $0.id, "status": $0.status.rawValue,
             "timestamp": HubURLs.date($0.createdAt), "fields": ["reason": $0.reason]]
        }
        let (page, headers) = HubURLs.page(objects, request: request)
        return try HubURLs.json(page, headers: headers)
    }
}
