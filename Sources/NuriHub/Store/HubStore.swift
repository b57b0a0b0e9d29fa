import Foundation
import NuriIdentity
import NuriStore
import SQLKit

/// The hub's tables: repositories, commits, trees, references, grants, access requests, upload
/// slots and download counts; blob bytes go to ``blobs``.
///
/// Every change runs in one transaction. A commit's tree entries may only name blobs recorded in
/// `hub_blobs`, and a blob is recorded only after its bytes were checked and renamed into place,
/// so no commit points to a missing or partial blob.
public struct HubStore: Sendable {
    let database: Database
    public let blobs: BlobStore
    /// The clock, in Unix seconds.
    let now: @Sendable () -> Int

    /// How long a signed LFS upload URL stays valid (seconds).
    public static let uploadLifetime = 3600

    public init(database: Database, dataDirectory: String, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.blobs = BlobStore(dataDirectory: dataDirectory)
        self.now = now
    }

    // MARK: Repositories

    /// Creates a repository with an empty initial commit on `main`.
    ///
    /// The caller must be an operator, the owning user, or a member of the owning organisation,
    /// with a `write` token. Anyone else gets 403 whether or not the owner exists.
    public func createRepository(_ id: RepositoryID, kind: RepositoryKind, visibility: Visibility = .public, sectors: [Sector] = [],
                                 caller: HubCaller) async throws -> Repository {
        guard let principal = caller.principal else {
            throw HubError.unauthenticated("sign in to create repositories: send `Authorization: Bearer nuri_…`")
        }
        guard principal.token.scopes.contains(.write) else {
            throw HubError.forbidden("this token lacks the 'write' scope; create a token with --scopes including write")
        }
        if visibility == .sectors && sectors.isEmpty {
            throw HubError.invalidInput(param: "sectors", message: "visibility 'sectors' needs at least one sector (public, private, academic, startup)")
        }
        let createdAt = now()
        return try await database.transaction { db in
            let (organisationID, userID) = try await Self.owner(named: id.owner, db)
            let allowed = principal.isOperator
                || (userID != nil && userID == principal.user.id)
                || (organisationID.map { principal.role(in: $0) != nil } ?? false)
            guard allowed else {
                throw HubError.forbidden("you may not create repositories under '\(id.owner)': only its members (or the user themself) may")
            }
            let canonical = try await Self.ownerCanonicalName(organisationID: organisationID, userID: userID, db) ?? id.owner
            let repositoryID = try RepositoryID(owner: canonical, name: id.name)
            if try await Self.repositoryRow(kind: kind, id: repositoryID, db) != nil {
                throw HubError.repositoryExists(id: repositoryID.description)
            }
            let repository = Repository(
                id: "rep_" + Self.randomID(), kind: kind, repositoryID: repositoryID, ownerOrganisationID: organisationID, ownerUserID: userID,
                visibility: visibility, sectors: sectors, card: .empty, createdAt: createdAt, updatedAt: createdAt)
            try await db.raw("""
                INSERT INTO hub_repositories (id, kind, owner, name, lookup_key, owner_organisation_id, owner_user_id, visibility, sectors, created_at, updated_at)
                VALUES (\(bind: repository.id), \(bind: kind.rawValue), \(bind: canonical), \(bind: id.name), \(bind: Self.lookupKey(repositoryID)),
                        \(bind: organisationID), \(bind: userID), \(bind: visibility.rawValue), \(bind: Self.serialise(sectors.map(\.rawValue))),
                        \(bind: createdAt), \(bind: createdAt))
                """).run()
            let initial = Commit(
                id: Commit.makeID(repositoryID: repository.id, parentID: nil, tree: [], author: principal.user.name, time: createdAt,
                                  title: "initial commit", description: "", nonce: Self.randomID()),
                repositoryID: repository.id, parentID: nil, title: "initial commit", description: "", authorName: principal.user.name, createdAt: createdAt)
            try await Self.insert(initial, db)
            try await db.raw("""
                INSERT INTO hub_refs (repository_id, kind, name, commit_id, updated_at)
                VALUES (\(bind: repository.id), 'branch', 'main', \(bind: initial.id), \(bind: createdAt))
                """).run()
            return repository
        }
    }

    /// The repository, if it exists (whoever asks: check access with ``access(_:kind:caller:)``).
    public func repository(_ id: RepositoryID, kind: RepositoryKind) async throws -> Repository? {
        try await database.read { db in try await Self.repositoryRow(kind: kind, id: id, db).map(Self.repository) }
    }

    /// The repository and the caller's level on it, or ``HubError/repositoryNotFound(_:)`` when
    /// it does not exist or the caller may not see it (the same answer, so nothing leaks).
    public func access(_ id: RepositoryID, kind: RepositoryKind, caller: HubCaller) async throws -> (Repository, AccessLevel) {
        guard let repository = try await repository(id, kind: kind) else { throw HubError.repositoryNotFound(id.description) }
        let level = RepositoryAccess.level(of: caller, on: repository, grants: try await grants(for: caller))
        guard level > .none else { throw HubError.repositoryNotFound(id.description) }
        return (repository, level)
    }

    /// As ``access(_:kind:caller:)``, requiring at least `needed`.
    public func require(_ needed: AccessLevel, on id: RepositoryID, kind: RepositoryKind, caller: HubCaller) async throws -> Repository {
        guard let repository = try await repository(id, kind: kind) else { throw HubError.repositoryNotFound(id.description) }
        let level = RepositoryAccess.level(of: caller, on: repository, grants: try await grants(for: caller))
        try RepositoryAccess.require(needed, have: level, repository: repository, caller: caller)
        return repository
    }

    /// The grants that concern this caller.
    public func grants(for caller: HubCaller) async throws -> RepositoryAccess.Grants {
        guard let principal = caller.principal else { return .none }
        let subjects = ["user:\(principal.user.id)"] + principal.memberships.map { "org:\($0.organisationID)" }
        return try await database.read { db in
            var grants = RepositoryAccess.Grants.none
            for subject in subjects {
                for row in try await db.raw("SELECT repository_id FROM hub_grants WHERE subject = \(bind: subject)").all() {
                    let id = try row.decode(column: "repository_id", as: String.self)
                    if subject.hasPrefix("user:") { grants.approvedRepositoryIDs.insert(id) } else { grants.invitedRepositoryIDs.insert(id) }
                }
            }
            return grants
        }
    }

    /// A listing query: every field optional.
    public struct ListQuery: Sendable {
        public var kind: RepositoryKind = .model
        /// Matched (case-insensitively) against `owner/name`.
        public var search: String?
        public var author: String?
        /// Each must be among the card's tags, its language, licence (`license:mit`) or pipeline tag.
        public var filters: [String] = []
        /// `downloads`, `lastModified`, `createdAt` (descending), else by id.
        public var sort: String?

        public init(kind: RepositoryKind = .model, search: String? = nil, author: String? = nil, filters: [String] = [], sort: String? = nil) {
            self.kind = kind
            self.search = search
            self.author = author
            self.filters = filters
            self.sort = sort
        }
    }

    /// The repositories the caller may see that match the query, in the query's order.
    public func list(_ query: ListQuery, caller: HubCaller) async throws -> [(Repository, AccessLevel)] {
        let grants = try await grants(for: caller)
        let rows = try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.repositoryColumns) FROM hub_repositories WHERE kind = \(bind: query.kind.rawValue) ORDER BY lookup_key").all()
        }
        var result: [(Repository, AccessLevel)] = []
        for row in rows {
            let repository = try Self.repository(row)
            let id = repository.repositoryID.description.lowercased()
            if let search = query.search?.lowercased(), !search.isEmpty, !id.contains(search) { continue }
            if let author = query.author, repository.repositoryID.owner.lowercased() != author.lowercased() { continue }
            let labels = Set(Self.labels(repository.card))
            if !query.filters.allSatisfy({ labels.contains($0) }) { continue }
            let level = RepositoryAccess.level(of: caller, on: repository, grants: grants)
            if level > .none { result.append((repository, level)) }
        }
        switch query.sort {
        case "downloads":
            let counts = try await downloadCounts()
            result.sort { (counts[$0.0.id] ?? 0, $1.0.repositoryID.description) > (counts[$1.0.id] ?? 0, $0.0.repositoryID.description) }
        case "lastModified", "last_modified": result.sort { $0.0.updatedAt > $1.0.updatedAt }
        case "createdAt", "created_at": result.sort { $0.0.createdAt > $1.0.createdAt }
        default: break
        }
        return result
    }

    /// The card's tags as the Hub lists them: the card's `tags`, its languages, `license:…`, the
    /// pipeline tag and the library.
    public static func labels(_ card: ModelCardFields) -> [String] {
        var labels = card.tags + card.languages
        if let license = card.license { labels.append("license:\(license)") }
        if let pipeline = card.pipelineTag { labels.append(pipeline) }
        if let library = card.libraryName { labels.append(library) }
        labels += card.baseModels.map { "base_model:\($0)" }
        return labels
    }

    /// Changes who may see a repository (admins of the owner, operators).
    public func setVisibility(_ id: RepositoryID, kind: RepositoryKind, visibility: Visibility, sectors: [Sector], caller: HubCaller) async throws -> Repository {
        let repository = try await require(.admin, on: id, kind: kind, caller: caller)
        if visibility == .sectors && sectors.isEmpty {
            throw HubError.invalidInput(param: "sectors", message: "visibility 'sectors' needs at least one sector (public, private, academic, startup)")
        }
        if visibility == .public, repository.card.json != nil, repository.card.license == nil {
            throw HubError.invalidInput(param: "visibility", message: "a public repository's model card must name a license: add `license:` to README.md first")
        }
        let at = now()
        try await database.transaction { db in
            try await db.raw("""
                UPDATE hub_repositories SET visibility = \(bind: visibility.rawValue), sectors = \(bind: Self.serialise(sectors.map(\.rawValue))), updated_at = \(bind: at)
                WHERE id = \(bind: repository.id)
                """).run()
        }
        var changed = repository
        changed.visibility = visibility
        changed.sectors = visibility == .sectors ? sectors : []
        return changed
    }

    /// The repositories whose card names `id` as `base_model` (lineage, the other way).
    public func derivedRepositories(of id: RepositoryID, caller: HubCaller) async throws -> [RepositoryID] {
        let all = try await list(ListQuery(kind: .model), caller: caller)
        return all.map(\.0).filter { $0.card.baseModels.contains { $0.lowercased() == id.description.lowercased() } }.map(\.repositoryID)
    }

    // MARK: Downloads

    /// Counts one download of a file of the repository today.
    public func recordDownload(_ repository: Repository) async throws {
        let day = now() / 86_400
        try await database.read { db in
            try await db.raw("""
                INSERT INTO hub_downloads (repository_id, day, count) VALUES (\(bind: repository.id), \(bind: day), 1)
                ON CONFLICT (repository_id, day) DO UPDATE SET count = hub_downloads.count + 1
                """).run()
        }
    }

    /// Downloads in the last `days` days (the Hub's `downloads` is the last 30), and all time.
    public func downloads(_ repository: Repository, days: Int = 30) async throws -> (recent: Int, allTime: Int) {
        let since = now() / 86_400 - days + 1
        return try await database.read { db in
            let rows = try await db.raw("SELECT day, count FROM hub_downloads WHERE repository_id = \(bind: repository.id)").all()
            var recent = 0, total = 0
            for row in rows {
                let count = try row.decode(column: "count", as: Int.self)
                total += count
                if try row.decode(column: "day", as: Int.self) >= since { recent += count }
            }
            return (recent, total)
        }
    }

    /// Downloads per day (days since 1970), oldest first.
    public func downloadsPerDay(_ repository: Repository) async throws -> [(day: Int, count: Int)] {
        try await database.read { db in
            try await db.raw("SELECT day, count FROM hub_downloads WHERE repository_id = \(bind: repository.id) ORDER BY day").all().map {
                (try $0.decode(column: "day", as: Int.self), try $0.decode(column: "count", as: Int.self))
            }
        }
    }

    func downloadCounts() async throws -> [String: Int] {
        let since = now() / 86_400 - 29
        return try await database.read { db in
            var counts: [String: Int] = [:]
            for row in try await db.raw("SELECT repository_id, CAST(SUM(count) AS BIGINT) AS total FROM hub_downloads WHERE day >= \(bind: since) GROUP BY repository_id").all() {
                counts[try row.decode(column: "repository_id", as: String.self)] = try row.decode(column: "total", as: Int.self)
            }
            return counts
        }
    }

    /// Bytes of every distinct blob any commit of the repository references.
    public func usedStorage(_ repository: Repository) async throws -> Int {
        try await database.read { db in
            let row = try await db.raw("""
                SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS total FROM (
                    SELECT DISTINCT e.sha256, e.size FROM hub_tree_entries e JOIN hub_commits c ON c.id = e.commit_id
                    WHERE c.repository_id = \(bind: repository.id)) AS blobs
                """).first()
            return try row?.decode(column: "total", as: Int.self) ?? 0
        }
    }

    // MARK: Rows

    static let repositoryColumns = """
        id, kind, owner, name, owner_organisation_id, owner_user_id, visibility, sectors, license, pipeline_tag, library_name, \
        languages, tags, base_models, card_json, created_at, updated_at
        """

    static func lookupKey(_ id: RepositoryID) -> String { id.description.lowercased() }

    static func repositoryRow(kind: RepositoryKind, id: RepositoryID, _ db: any SQLDatabase) async throws -> (any SQLRow)? {
        try await db.raw("""
            SELECT \(unsafeRaw: repositoryColumns) FROM hub_repositories WHERE kind = \(bind: kind.rawValue) AND lookup_key = \(bind: lookupKey(id))
            """).first()
    }

    static func repository(_ row: any SQLRow) throws -> Repository {
        let kind = RepositoryKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .model
        let id = try RepositoryID(owner: try row.decode(column: "owner", as: String.self), name: try row.decode(column: "name", as: String.self))
        let card = ModelCardFields(
            license: try row.decode(column: "license", as: String?.self),
            languages: deserialise(try row.decode(column: "languages", as: String.self)),
            tags: deserialise(try row.decode(column: "tags", as: String.self)),
            baseModels: deserialise(try row.decode(column: "base_models", as: String.self)),
            pipelineTag: try row.decode(column: "pipeline_tag", as: String?.self),
            libraryName: try row.decode(column: "library_name", as: String?.self),
            json: try row.decode(column: "card_json", as: String?.self))
        return Repository(
            id: try row.decode(column: "id", as: String.self), kind: kind, repositoryID: id,
            ownerOrganisationID: try row.decode(column: "owner_organisation_id", as: String?.self),
            ownerUserID: try row.decode(column: "owner_user_id", as: String?.self),
            visibility: Visibility(rawValue: try row.decode(column: "visibility", as: String.self)) ?? .private,
            sectors: deserialise(try row.decode(column: "sectors", as: String.self)).compactMap(Sector.init(rawValue:)),
            card: card,
            createdAt: try row.decode(column: "created_at", as: Int.self), updatedAt: try row.decode(column: "updated_at", as: Int.self))
    }

    /// The organisation or user that owns repositories named `owner/…`, case-insensitively.
    static func owner(named name: String, _ db: any SQLDatabase) async throws -> (organisationID: String?, userID: String?) {
        if let row = try await db.raw("SELECT id FROM organisations WHERE LOWER(name) = LOWER(\(bind: name))").first() {
            return (try row.decode(column: "id", as: String.self), nil)
        }
        if let row = try await db.raw("SELECT id FROM users WHERE LOWER(name) = LOWER(\(bind: name))").first() {
            return (nil, try row.decode(column: "id", as: String.self))
        }
        throw HubError.forbidden("you may not create repositories under '\(name)': no organisation or user of that name is yours")
    }

    static func ownerCanonicalName(organisationID: String?, userID: String?, _ db: any SQLDatabase) async throws -> String? {
        if let organisationID {
            return try await db.raw("SELECT name FROM organisations WHERE id = \(bind: organisationID)").first()?.decode(column: "name", as: String.self)
        }
        if let userID {
            return try await db.raw("SELECT name FROM users WHERE id = \(bind: userID)").first()?.decode(column: "name", as: String.self)
        }
        return nil
    }

    /// Lists are stored as newline-separated text (both engines, no JSON functions needed).
    static func serialise(_ values: [String]) -> String { values.joined(separator: "\n") }
    static func deserialise(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        return String(decoding: (0..<20).map { _ in digits[Int(generator.next(upperBound: UInt(digits.count)))] }, as: UTF8.self)
    }
}
