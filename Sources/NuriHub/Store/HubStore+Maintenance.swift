import Foundation
import NuriIdentity
import NuriStore
import SQLKit

extension HubStore {
    /// Copies local files into a repository as large files, in one commit on `main` (creating
    /// the repository if needed). Files already there with the same content are skipped; returns
    /// nil when nothing changed. Used by `nuri admin hub import` (and `make run`).
    public func importFiles(_ files: [(path: RepositoryPath, source: String)], into id: RepositoryID, visibility: Visibility,
                            message: String, caller: HubCaller) async throws -> Commit? {
        let repository: Repository
        if let existing = try await self.repository(id, kind: .model) {
            repository = existing
            let level = RepositoryAccess.level(of: caller, on: repository, grants: try await grants(for: caller))
            try RepositoryAccess.require(.write, have: level, repository: repository, caller: caller)
        } else {
            repository = try await createRepository(id, kind: .model, visibility: visibility, caller: caller)
        }
        let head = try await resolve("main", in: repository)
        let current = Dictionary(uniqueKeysWithValues: try await tree(of: head).map { ($0.path, $0) })
        var operations: [CommitOperation] = []
        for (path, source) in files {
            guard let input = FileHandle(forReadingAtPath: source) else {
                throw HubError.invalidInput(param: "file", message: "cannot read \(source)")
            }
            defer { try? input.close() }
            let writer = try blobs.makeWriter()
            do {
                while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty { try writer.write(chunk) }
                let blob = try writer.finish()
                if current[path]?.sha256 == blob.sha256 { continue }
                try await recordBlob(blob, for: repository)
                operations.append(.addLFS(path: path, sha256: blob.sha256, size: blob.size))
            } catch {
                writer.abort()
                throw error
            }
        }
        guard !operations.isEmpty else { return nil }
        return try await commit(CommitRequest(title: message, operations: operations), to: "main", in: repository, author: caller.principal?.user.name)
    }

    /// A problem found by ``verify(rehash:)``.
    public struct Problem: Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Checks that every recorded blob is on disk with its size (and, with `rehash`, its
    /// SHA-256), and that every file of every commit names a recorded blob. After a crash this
    /// must find nothing: blobs reach their final name only complete, and are recorded after.
    public func verify(rehash: Bool) async throws -> (blobs: Int, entries: Int, problems: [Problem]) {
        let (recorded, entries) = try await database.read { db in
            let blobs = try await db.raw("SELECT sha256, size FROM hub_blobs ORDER BY sha256").all().map {
                (try $0.decode(column: "sha256", as: String.self), try $0.decode(column: "size", as: Int.self))
            }
            let missing = try await db.raw("""
                SELECT e.commit_id, e.path, e.sha256 FROM hub_tree_entries e LEFT JOIN hub_blobs b ON b.sha256 = e.sha256 WHERE b.sha256 IS NULL
                """).all().map {
                "commit \(try $0.decode(column: "commit_id", as: String.self)) names '\(try $0.decode(column: "path", as: String.self))', whose blob \(try $0.decode(column: "sha256", as: String.self)) is not recorded"
            }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM hub_tree_entries").first()?.decode(column: "n", as: Int.self) ?? 0
            return (blobs, (count, missing))
        }
        var problems = entries.1.map(Problem.init)
        for (sha256, size) in recorded {
            guard let found = blobs.size(sha256: sha256) else {
                problems.append(Problem(description: "blob \(sha256) is recorded but missing from \(blobs.root)"))
                continue
            }
            if found != size { problems.append(Problem(description: "blob \(sha256) has \(found) bytes, \(size) recorded")) }
            if rehash, found == size {
                let actual = try Self.hashFile(blobs.path(sha256: sha256))
                if actual != sha256 { problems.append(Problem(description: "blob \(sha256) is corrupt: its content hashes to \(actual)")) }
            }
        }
        return (recorded.count, entries.0, problems)
    }

    static func hashFile(_ path: String) throws -> String {
        guard let input = FileHandle(forReadingAtPath: path) else { throw BlobStoreError.io("cannot read \(path)") }
        defer { try? input.close() }
        var hasher = ContentHasher()
        while let chunk = try input.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.hex()
    }

    /// The path of a model file served by the gateway straight from the blob store (no copy):
    /// `owner/name[@revision][#file.gguf]`; without `#file` the revision must hold exactly one `.gguf`.
    public func modelFile(_ reference: String) async throws -> (path: String, commit: Commit, file: RepositoryPath) {
        var text = Substring(reference)
        var fileName: String?
        if let hash = text.firstIndex(of: "#") {
            fileName = String(text[text.index(after: hash)...])
            text = text[..<hash]
        }
        let parts = text.split(separator: "@", maxSplits: 1)
        let id = try RepositoryID(parsing: String(parts.first ?? ""))
        guard let repository = try await repository(id, kind: .model) else { throw HubError.repositoryNotFound(id.description) }
        let commit = try await resolve(parts.count > 1 ? String(parts[1]) : "main", in: repository)
        let entries = try await tree(of: commit)
        let entry: TreeEntry
        if let fileName {
            entry = try await self.entry(try RepositoryPath(fileName), in: commit)
        } else {
            let ggufs = entries.filter { $0.path.value.lowercased().hasSuffix(".gguf") }
            guard ggufs.count == 1, let only = ggufs.first else {
                throw HubError.invalidInput(param: "model", message: ggufs.isEmpty
                    ? "\(id)@\(commit.id.prefix(12)) holds no .gguf file"
                    : "\(id) holds several .gguf files; name one: hub:\(id)#\(ggufs[0].path.value)")
            }
            entry = only
        }
        return (blobs.path(sha256: entry.sha256), commit, entry.path)
    }
}
