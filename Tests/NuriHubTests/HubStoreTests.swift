import Foundation
import NuriHub
import NuriIdentity
import NuriStore
import NuriTestSupport
import Testing

@Suite("Repositories, commits and blobs in the store, on SQLite and PostgreSQL")
struct HubStoreTests {
    func file(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a new repository has an empty initial commit on main; its name is unique, case-insensitively", arguments: TestBackend.available)
    func create(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let id = try RepositoryID(owner: "Seoul-City", name: "traffic")
            let repository = try await hub.store.createRepository(id, kind: .model, caller: hub["owner-member"])
            #expect(repository.repositoryID.description == "seoul-city/traffic")   // the owner's own spelling
            let head = try await hub.store.resolve("main", in: repository)
            #expect(Commit.isCommitID(head.id) && head.parentID == nil)
            #expect(try await hub.store.tree(of: head).isEmpty)
            await #expect(throws: HubError.repositoryExists(id: "seoul-city/TRAFFIC")) {
                try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "TRAFFIC"), kind: .model, caller: hub["owner-admin"])
            }
            // A dataset may share the name.
            _ = try await hub.store.createRepository(id, kind: .dataset, caller: hub["owner-admin"])
            // Outsiders and anonymous callers cannot create under the organisation.
            await #expect(throws: HubError.self) { try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "x"), kind: .model, caller: hub["startup-user"]) }
            await #expect(throws: HubError.self) { try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "x"), kind: .model, caller: .anonymous) }
            // A user owns repositories under their own name.
            _ = try await hub.store.createRepository(try RepositoryID(owner: "startup-user", name: "mine"), kind: .model, caller: hub["startup-user"])
        }
    }

    @Test("commits are immutable trees; branches move; old commits stay readable", arguments: TestBackend.available)
    func commits(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let repository = try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "m"), kind: .model, caller: hub["owner-admin"])
            let a = file("one"), b = file("two")
            let first = try await hub.store.commit(CommitRequest(title: "add", operations: [
                .addRegular(path: try RepositoryPath("a.txt"), blob: try hub.store.blobs.store(a), gitOID: GitObjectID.blob(a)),
                .addRegular(path: try RepositoryPath("dir/b.txt"), blob: try hub.store.blobs.store(b), gitOID: GitObjectID.blob(b)),
            ]), to: "main", in: repository, author: "owner-admin")
            let second = try await hub.store.commit(CommitRequest(title: "remove dir", parentCommit: first.id, operations: [.deleteFolder(try RepositoryPath("dir"))]),
                                                    to: "main", in: repository, author: "owner-admin")
            #expect(second.parentID == first.id)
            #expect(try await hub.store.tree(of: second).map(\.path.value) == ["a.txt"])
            #expect(try await hub.store.tree(of: first).map(\.path.value) == ["a.txt", "dir/b.txt"])
            #expect(try await hub.store.resolve(first.id, in: repository) == first)
            #expect(try await hub.store.history(from: second).map(\.title) == ["remove dir", "add", "initial commit"])
            // git's blob id, as `git hash-object` prints it for "one"
            #expect(try await hub.store.entry(try RepositoryPath("a.txt"), in: second).gitOID == "43dd47ea691c90a5fa7827892c70241913351963")

            // A stale parent, a missing file and an unknown branch change nothing.
            await #expect(throws: HubError.staleParent(expected: first.id, found: second.id)) {
                try await hub.store.commit(CommitRequest(title: "stale", parentCommit: first.id, operations: []), to: "main", in: repository, author: nil)
            }
            await #expect(throws: HubError.entryNotFound(path: "nope.txt", commit: second.id)) {
                try await hub.store.commit(CommitRequest(title: "bad", operations: [.deleteFile(try RepositoryPath("nope.txt"))]), to: "main", in: repository, author: nil)
            }
            await #expect(throws: HubError.revisionNotFound(repository: "seoul-city/m", revision: "dev")) {
                try await hub.store.commit(CommitRequest(title: "x"), to: "dev", in: repository, author: nil)
            }
            #expect(try await hub.store.resolve("main", in: repository) == second)
            await #expect(throws: HubError.revisionNotFound(repository: "seoul-city/m", revision: String(repeating: "0", count: 40))) {
                try await hub.store.resolve(String(repeating: "0", count: 40), in: repository)
            }
            try await hub.store.createReference(.tag, named: "v1", at: first, in: repository)
            try await hub.store.createReference(.branch, named: "dev", at: first, in: repository)
            #expect(try await hub.store.resolve("v1", in: repository) == first)
            #expect(try await hub.store.resolve("dev", in: repository) == first)
            await #expect(throws: HubError.self) { try await hub.store.createReference(.tag, named: "dev", at: second, in: repository) }
            await #expect(throws: HubError.self) { try await hub.store.createReference(.branch, named: "refs/pr/1", at: second, in: repository) }
            // A commit to the new branch leaves main alone.
            let onDev = try await hub.store.commit(CommitRequest(title: "on dev", operations: [.deleteFile(try RepositoryPath("a.txt"))]),
                                                   to: "dev", in: repository, author: nil)
            #expect(onDev.parentID == first.id)
            #expect(try await hub.store.resolve("main", in: repository) == second)
        }
    }

    @Test("a large file can be committed only once its blob was uploaded and checked", arguments: TestBackend.available)
    func largeFiles(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let repository = try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "big"), kind: .model, caller: hub["owner-admin"])
            let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let sha = SHA256Hex.of(data)
            let path = try RepositoryPath("weights.bin")
            let before = try await hub.store.resolve("main", in: repository)
            await #expect(throws: HubError.blobMissing(sha256: sha)) {
                try await hub.store.commit(CommitRequest(title: "x", operations: [.addLFS(path: path, sha256: sha, size: data.count)]), to: "main", in: repository, author: nil)
            }
            #expect(try await hub.store.resolve("main", in: repository) == before)

            // A wrong hash is refused and leaves nothing under any final name.
            let bad = try hub.store.blobs.makeWriter()
            try bad.write(data)
            #expect(throws: HubError.self) { try bad.finish(expectedSHA256: String(repeating: "a", count: 64), expectedSize: data.count) }
            #expect(hub.store.blobs.size(sha256: sha) == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: hub.store.blobs.root + "/tmp").isEmpty)

            let writer = try hub.store.blobs.makeWriter()
            try writer.write(data)
            let blob = try writer.finish(expectedSHA256: sha, expectedSize: data.count)
            try await hub.store.recordBlob(blob, for: repository)
            let commit = try await hub.store.commit(CommitRequest(title: "weights", operations: [.addLFS(path: path, sha256: sha, size: data.count)]),
                                                    to: "main", in: repository, author: nil)
            // Another repository knowing the hash is not enough: it must upload the bytes itself.
            let other = try await hub.store.createRepository(try RepositoryID(owner: "startup-user", name: "copycat"), kind: .model, caller: hub["startup-user"])
            #expect(try await hub.store.hasBlob(sha256: sha, for: repository))
            #expect(try await !hub.store.hasBlob(sha256: sha, for: other))
            await #expect(throws: HubError.blobMissing(sha256: sha)) {
                try await hub.store.commit(CommitRequest(title: "x", operations: [.addLFS(path: path, sha256: sha, size: data.count)]), to: "main", in: other, author: nil)
            }
            let entry = try await hub.store.entry(path, in: commit)
            #expect(entry.isLFS && entry.size == data.count && entry.sha256 == sha)
            #expect(entry.uploadOID == sha)
            #expect(hub.store.blobs.path(sha256: sha).hasSuffix("/blobs/sha256/\(sha.prefix(2))/\(sha.dropFirst(2))"))
            #expect(FileManager.default.contents(atPath: hub.store.blobs.path(sha256: sha)) == Data(data))
            // The same bytes again are stored once.
            #expect(try hub.store.blobs.store(data) == blob)
            #expect(try await hub.store.usedStorage(repository) == data.count)
        }
    }

    @Test("the model card's front matter becomes searchable fields; a public repository's card needs a licence", arguments: TestBackend.available)
    func cards(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let repository = try await hub.store.createRepository(try RepositoryID(owner: "seoul-city", name: "carded"), kind: .model, caller: hub["owner-admin"])
            func readme(_ text: String) throws -> CommitOperation {
                let bytes = Array(text.utf8)
                return .addRegular(path: try RepositoryPath("README.md"), blob: try hub.store.blobs.store(bytes), gitOID: GitObjectID.blob(bytes))
            }
            await #expect(throws: HubError.self) {
                try await hub.store.commit(CommitRequest(title: "no licence", operations: [try readme("---\ntags: [x]\n---\n# card\n")]), to: "main", in: repository, author: nil)
            }
            _ = try await hub.store.commit(CommitRequest(title: "card", operations: [try readme(
                "---\nlicense: apache-2.0\nlanguage: [ko, en]\ntags: [korean]\nbase_model: HuggingFaceTB/SmolLM2-135M-Instruct\npipeline_tag: text-generation\n---\n# card\n")]),
                to: "main", in: repository, author: nil)
            let card = try #require(try await hub.store.repository(repository.repositoryID, kind: .model)).card
            #expect(card.license == "apache-2.0" && card.languages == ["ko", "en"] && card.tags == ["korean"])
            #expect(card.baseModels == ["HuggingFaceTB/SmolLM2-135M-Instruct"] && card.pipelineTag == "text-generation")
            let found = try await hub.store.list(HubStore.ListQuery(filters: ["korean", "license:apache-2.0"]), caller: .anonymous).map(\.0.repositoryID.name)
            #expect(found == ["carded"])
            #expect(try await hub.store.list(HubStore.ListQuery(filters: ["english"]), caller: .anonymous).isEmpty)
        }
    }

    @Test("download counts per day")
    func downloads() async throws {
        try await TestDatabase.with(.sqlite) { database, test in
            let hub = try await HubFixture(database: database, directory: test.directory)
            let repository = try await hub.repository("counted", visibility: .public)
            for _ in 0..<3 { try await hub.store.recordDownload(repository) }
            let counts = try await hub.store.downloads(repository)
            #expect(counts.recent == 3 && counts.allTime == 3)
            #expect(try await hub.store.downloadsPerDay(repository).map(\.count) == [3])
        }
    }
}

@Suite("Paths and model cards")
struct ValidationTests {
    @Test("paths that could escape a folder or break a file system are refused", arguments: [
        "", "/etc/passwd", "../x", "a/../b", "a//b", "a/", "./a", "a\\b", "a\u{0}b", "a\nb", ".git/config", String(repeating: "x", count: 300),
    ])
    func badPaths(text: String) {
        #expect(throws: HubError.self) { try RepositoryPath(text) }
    }

    @Test("ordinary paths, Korean ones too, are accepted")
    func goodPaths() throws {
        for text in ["README.md", "tokenizer/vocab.txt", "서울/모델.gguf", ".gitattributes", "a b/c-d_e.f"] {
            #expect(try RepositoryPath(text).value == text)
        }
        #expect(try RepositoryPath("a/b/c.txt").folders == ["a", "a/b"])
    }

    @Test("front matter errors are reported as validate-yaml does")
    func cardErrors() {
        #expect(!ModelCard.validate("---\nlicense: [unclosed\n---\n# x\n", requireLicense: false).errors.isEmpty)
        #expect(ModelCard.validate("---\n- a\n- b\n---\n", requireLicense: false).errors == ["the front matter must be a YAML mapping (key: value lines)"])
        #expect(ModelCard.validate("---\ntags: {a: 1}\n---\n", requireLicense: false).errors == ["'tags' must be a string or a list of strings"])
        #expect(ModelCard.validate("---\nlicense: mit\n", requireLicense: false).errors.count == 1)   // not closed
        #expect(ModelCard.validate("# no front matter\n", requireLicense: false).errors.isEmpty)
        let ok = ModelCard.validate("---\nlicense: mit\nlanguage: ko\n---\n", requireLicense: true)
        #expect(ok.errors.isEmpty && ok.fields.languages == ["ko"] && ok.fields.json == #"{"language":"ko","license":"mit"}"#)
    }
}
