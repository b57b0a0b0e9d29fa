import Foundation
import NuriStore
import SQLKit

extension HubStore {
    // MARK: Revisions

    /// The commit a revision names: a branch, then a tag, then a full commit id of this repository.
    public func resolve(_ revision: String, in repository: Repository) async throws -> Commit {
        try await database.read { db in
            for kind in ["branch", "tag"] {
                if let row = try await db.raw("""
                    SELECT commit_id FROM hub_refs WHERE repository_id = \(bind: repository.id) AND kind = \(bind: kind) AND name = \(bind: revision)
                    """).first() {
                    let id = try row.decode(column: "commit_id", as: String.self)
                    // The foreign key keeps references pointing at commits.
                    guard let commit = try await Self.commit(id: id, db) else { throw StoreError.conflict("reference to a missing commit \(id)") }
                    return commit
                }
            }
            if Commit.isCommitID(revision), let commit = try await Self.commit(id: revision, db), commit.repositoryID == repository.id {
                return commit
            }
            throw HubError.revisionNotFound(repository: repository.repositoryID.description, revision: revision)
        }
    }

    /// Branches and tags.
    public func references(of repository: Repository) async throws -> [Reference] {
        try await database.read { db in
            try await db.raw("SELECT kind, name, commit_id FROM hub_refs WHERE repository_id = \(bind: repository.id) ORDER BY kind, name").all().map { row in
                Reference(kind: Reference.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .branch,
                          name: try row.decode(column: "name", as: String.self), commitID: try row.decode(column: "commit_id", as: String.self))
            }
        }
    }

    /// Creates a branch or a tag at a commit; 409 if one of that name exists. Names are 1–100
    /// characters without spaces, `..`, a leading `refs/` or the shape of a commit id.
    public func createReference(_ kind: Reference.Kind, named name: String, at commit: Commit, in repository: Repository) async throws {
        guard (1...100).contains(name.count), !name.contains(where: { $0.isWhitespace || $0.isNewline }), !name.contains(".."),
              !name.hasPrefix("refs/"), !name.hasPrefix("/"), !name.hasSuffix("/"), !Commit.isCommitID(name) else {
            throw HubError.invalidInput(param: kind.rawValue, message: "a \(kind.rawValue) name is 1–100 characters without spaces or '..', not starting with 'refs/', and not a commit id")
        }
        let at = now()
        try await database.transaction { db in
            if try await db.raw("""
                SELECT name FROM hub_refs WHERE repository_id = \(bind: repository.id) AND name = \(bind: name)
                """).first() != nil {
                throw HubError.conflict("\(repository.repositoryID) already has a branch or tag named '\(name)'")
            }
            try await db.raw("""
                INSERT INTO hub_refs (repository_id, kind, name, commit_id, updated_at)
                VALUES (\(bind: repository.id), \(bind: kind.rawValue), \(bind: name), \(bind: commit.id), \(bind: at))
                """).run()
        }
    }

    /// The commit's files, by path.
    public func tree(of commit: Commit) async throws -> [TreeEntry] {
        try await database.read { db in try await Self.tree(commitID: commit.id, db) }
    }

    /// One file of a commit, or ``HubError/entryNotFound(path:commit:)``.
    public func entry(_ path: RepositoryPath, in commit: Commit) async throws -> TreeEntry {
        let found = try await database.read { db in
            try await db.raw("SELECT path, sha256, size, git_oid, lfs FROM hub_tree_entries WHERE commit_id = \(bind: commit.id) AND path = \(bind: path.value)")
                .first().map(Self.entry)
        }
        guard let found else { throw HubError.entryNotFound(path: path.value, commit: commit.id) }
        return found
    }

    /// The commits reachable from `commit`, newest first.
    public func history(from commit: Commit, limit: Int = 1000) async throws -> [Commit] {
        try await database.read { db in
            var result = [commit]
            var next = commit.parentID
            while let id = next, result.count < limit, let parent = try await Self.commit(id: id, db) {
                result.append(parent)
                next = parent.parentID
            }
            return result
        }
    }

    // MARK: Committing

    /// Records a blob whose bytes are in the store (after ``BlobWriter/finish(expectedSHA256:expectedSize:)``),
    /// and that `repository` has proven it holds them (it may now commit the blob as a large file).
    public func recordBlob(_ blob: StoredBlob, for repository: Repository) async throws {
        try await recordBlob(blob, forRepositoryID: repository.id)
    }

    /// As ``recordBlob(_:for:)``, by the repository's internal id (an upload slot's).
    public func recordBlob(_ blob: StoredBlob, forRepositoryID repositoryID: String) async throws {
        let at = now()
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO hub_blobs (sha256, size, created_at) VALUES (\(bind: blob.sha256), \(bind: blob.size), \(bind: at))
                ON CONFLICT (sha256) DO NOTHING
                """).run()
            try await db.raw("""
                INSERT INTO hub_blob_claims (repository_id, sha256, created_at) VALUES (\(bind: repositoryID), \(bind: blob.sha256), \(bind: at))
                ON CONFLICT (repository_id, sha256) DO NOTHING
                """).run()
        }
    }

    /// Whether `repository` may commit the blob without uploading it: it uploaded the bytes
    /// before. (Another repository's upload of the same bytes does not count: the uploader must
    /// prove it has the content, or a known hash would open a private file.)
    public func hasBlob(sha256: String, for repository: Repository) async throws -> Bool {
        try await database.read { db in
            try await db.raw("""
                SELECT sha256 FROM hub_blob_claims WHERE repository_id = \(bind: repository.id) AND sha256 = \(bind: sha256.lowercased())
                """).first() != nil
        }
    }

    /// Applies `request` on top of `branch` and moves the branch to the new commit.
    ///
    /// All or nothing: a large file that was never uploaded, a deletion of a missing file, a
    /// stale parent, or a public repository's card without a licence leaves the branch as it was.
    public func commit(_ request: CommitRequest, to branch: String, in repository: Repository, author: String?) async throws -> Commit {
        let at = now()
        let blobs = self.blobs
        let title = request.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 1000 else {
            throw HubError.invalidInput(param: "summary", message: "a commit needs a summary of 1–1000 characters")
        }
        return try await database.transaction { db in
            guard let row = try await db.raw("""
                SELECT commit_id FROM hub_refs WHERE repository_id = \(bind: repository.id) AND kind = 'branch' AND name = \(bind: branch)
                """).first() else {
                throw HubError.revisionNotFound(repository: repository.repositoryID.description, revision: branch)
            }
            let headID = try row.decode(column: "commit_id", as: String.self)
            if let parent = request.parentCommit, parent.lowercased() != headID {
                throw HubError.staleParent(expected: parent, found: headID)
            }
            var tree = Dictionary(uniqueKeysWithValues: try await Self.tree(commitID: headID, db).map { ($0.path, $0) })
            var readme: [UInt8]??
            for operation in request.operations {
                switch operation {
                case .addRegular(let path, let blob, let gitOID):
                    try await db.raw("""
                        INSERT INTO hub_blobs (sha256, size, created_at) VALUES (\(bind: blob.sha256), \(bind: blob.size), \(bind: at))
                        ON CONFLICT (sha256) DO NOTHING
                        """).run()
                    tree[path] = TreeEntry(path: path, sha256: blob.sha256, size: blob.size, gitOID: gitOID, isLFS: false)
                    if path.value == "README.md" { readme = .some(nil) }
                case .addLFS(let path, let sha256, let size):
                    guard let stored = try await db.raw("""
                        SELECT b.size FROM hub_blobs b JOIN hub_blob_claims c ON c.sha256 = b.sha256
                        WHERE b.sha256 = \(bind: sha256.lowercased()) AND c.repository_id = \(bind: repository.id)
                        """).first() else {
                        throw HubError.blobMissing(sha256: sha256)
                    }
                    let storedSize = try stored.decode(column: "size", as: Int.self)
                    if let size, size != storedSize {
                        throw HubError.blobMismatch("'\(path.value)': the commit says \(size) bytes, the uploaded blob has \(storedSize)")
                    }
                    let hex = sha256.lowercased()
                    tree[path] = TreeEntry(path: path, sha256: hex, size: storedSize, gitOID: GitObjectID.lfsPointerBlob(sha256: hex, size: storedSize), isLFS: true)
                    if path.value == "README.md" { readme = .some(nil) }
                case .deleteFile(let path):
                    guard tree.removeValue(forKey: path) != nil else { throw HubError.entryNotFound(path: path.value, commit: headID) }
                    if path.value == "README.md" { readme = .some(nil) }
                case .deleteFolder(let path):
                    let prefix = path.value + "/"
                    let doomed = tree.keys.filter { $0.value.hasPrefix(prefix) }
                    guard !doomed.isEmpty else { throw HubError.entryNotFound(path: path.value, commit: headID) }
                    for key in doomed { tree.removeValue(forKey: key) }
                    if prefix == "README.md/" { readme = .some(nil) }
                }
            }
            let entries = Array(tree.values)
            let commit = Commit(
                id: Commit.makeID(repositoryID: repository.id, parentID: headID, tree: entries, author: author, time: at, title: title,
                                  description: request.description, nonce: Self.randomID()),
                repositoryID: repository.id, parentID: headID, title: title, description: request.description, authorName: author, createdAt: at)
            try await Self.insert(commit, db)
            for entry in entries {
                try await db.raw("""
                    INSERT INTO hub_tree_entries (commit_id, path, sha256, size, git_oid, lfs)
                    VALUES (\(bind: commit.id), \(bind: entry.path.value), \(bind: entry.sha256), \(bind: entry.size), \(bind: entry.gitOID), \(bind: entry.isLFS ? 1 : 0))
                    """).run()
            }
            let moved = try await db.raw("""
                UPDATE hub_refs SET commit_id = \(bind: commit.id), updated_at = \(bind: at)
                WHERE repository_id = \(bind: repository.id) AND kind = 'branch' AND name = \(bind: branch) AND commit_id = \(bind: headID)
                RETURNING commit_id
                """).all()
            guard !moved.isEmpty else { throw HubError.conflict("another commit moved '\(branch)' at the same time; try again") }
            if branch == "main" {
                if readme != nil {
                    var card = ModelCardFields.empty
                    if let entry = tree[try RepositoryPath("README.md")], entry.size <= 1 << 20,
                       let data = FileManager.default.contents(atPath: blobs.path(sha256: entry.sha256)) {
                        let validation = ModelCard.validate(String(decoding: data, as: UTF8.self), requireLicense: repository.visibility == .public)
                        if let error = validation.errors.first { throw HubError.invalidInput(param: "README.md", message: "README.md: \(error)") }
                        card = validation.fields
                    }
                    try await db.raw("""
                        UPDATE hub_repositories SET license = \(bind: card.license), pipeline_tag = \(bind: card.pipelineTag), library_name = \(bind: card.libraryName),
                            languages = \(bind: Self.serialise(card.languages)), tags = \(bind: Self.serialise(card.tags)),
                            base_models = \(bind: Self.serialise(card.baseModels)), card_json = \(bind: card.json), updated_at = \(bind: at)
                        WHERE id = \(bind: repository.id)
                        """).run()
                } else {
                    try await db.raw("UPDATE hub_repositories SET updated_at = \(bind: at) WHERE id = \(bind: repository.id)").run()
                }
            }
            return commit
        }
    }

    // MARK: Rows

    static func insert(_ commit: Commit, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO hub_commits (id, repository_id, parent_id, title, description, author_name, created_at)
            VALUES (\(bind: commit.id), \(bind: commit.repositoryID), \(bind: commit.parentID), \(bind: commit.title), \(bind: commit.description),
                    \(bind: commit.authorName), \(bind: commit.createdAt))
            """).run()
    }

    static func commit(id: String, _ db: any SQLDatabase) async throws -> Commit? {
        try await db.raw("""
            SELECT id, repository_id, parent_id, title, description, author_name, created_at FROM hub_commits WHERE id = \(bind: id)
            """).first().map { row in
            Commit(id: try row.decode(column: "id", as: String.self), repositoryID: try row.decode(column: "repository_id", as: String.self),
                   parentID: try row.decode(column: "parent_id", as: String?.self), title: try row.decode(column: "title", as: String.self),
                   description: try row.decode(column: "description", as: String.self), authorName: try row.decode(column: "author_name", as: String?.self),
                   createdAt: try row.decode(column: "created_at", as: Int.self))
        }
    }

    static func tree(commitID: String, _ db: any SQLDatabase) async throws -> [TreeEntry] {
        try await db.raw("SELECT path, sha256, size, git_oid, lfs FROM hub_tree_entries WHERE commit_id = \(bind: commitID) ORDER BY path").all().map(entry)
    }

    static func entry(_ row: any SQLRow) throws -> TreeEntry {
        TreeEntry(path: try RepositoryPath(try row.decode(column: "path", as: String.self)), sha256: try row.decode(column: "sha256", as: String.self),
                  size: try row.decode(column: "size", as: Int.self), gitOID: try row.decode(column: "git_oid", as: String.self),
                  isLFS: try row.decode(column: "lfs", as: Int.self) != 0)
    }
}
