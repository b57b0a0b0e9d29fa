import Foundation
import Hummingbird
import NIOCore
import NuriHub
import NuriIdentity

extension HubRoutes {
    // MARK: preupload

    struct PreuploadRequest: Decodable {
        struct File: Decodable {
            let path: String
            let sample: String?
            let size: Int
        }
        let files: [File]
    }

    /// `POST /api/{models}/{repo}/preupload/{revision}`: which files go through LFS, and the id of
    /// what is at each path now (the client skips a commit that would change nothing).
    func preupload(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let repository = try await store.require(.write, on: try HubURLs.repositoryID(context), kind: kind, caller: caller(context))
        let revision = try HubURLs.revision(context)
        let body = try await request.decodeJSON(PreuploadRequest.self, limit: bodyLimit)
        let commit = try await store.resolve(revision, in: repository)
        let current = Dictionary(uniqueKeysWithValues: try await store.tree(of: commit).map { ($0.path.value, $0) })
        var files: [[String: Any]] = []
        for file in body.files {
            let path = try RepositoryPath(file.path)
            guard file.size >= 0 else { throw HubError.invalidInput(param: "size", message: "'\(path)': size must not be negative") }
            let sample = file.sample.flatMap { Data(base64Encoded: $0) } ?? Data()
            let large = file.size >= lfsThreshold || sample.contains(0) || current[path.value]?.isLFS == true
            var answer: [String: Any] = ["path": path.value, "uploadMode": large && file.size > 0 ? "lfs" : "regular", "shouldIgnore": false]
            answer["oid"] = current[path.value]?.uploadOID ?? NSNull()
            files.append(answer)
        }
        return try HubURLs.json(["files": files, "commitOid": commit.id])
    }

    // MARK: LFS

    struct BatchRequest: Decodable {
        struct Object: Decodable {
            let oid: String
            let size: Int
        }
        let operation: String
        let objects: [Object]
    }

    /// `POST /{repo}.git/info/lfs/objects/batch`: for each large file not stored yet, a signed
    /// upload URL (the client PUTs to it without its token); stored ones get no `actions`.
    func lfsBatch(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let id = try HubURLs.repositoryID(context, stripGit: true)
        let caller = caller(context)
        let body = try await request.decodeJSON(BatchRequest.self, limit: bodyLimit)
        guard body.operation == "upload" else {
            throw HubError.invalidInput(param: "operation", message: "only LFS uploads go through the batch API here; download files with /resolve/")
        }
        let repository = try await store.require(.write, on: id, kind: kind, caller: caller)
        let endpoint = HubURLs.endpoint(of: request)
        var objects: [[String: Any]] = []
        for object in body.objects {
            let oid = object.oid.lowercased()
            guard SHA256Hex.isValid(oid), object.size >= 0 else {
                objects.append(["oid": object.oid, "size": object.size, "error": ["code": 422, "message": "oid must be a SHA-256 (64 hex digits) and size a byte count"]])
                continue
            }
            if try await store.hasBlob(sha256: oid, for: repository), store.blobs.size(sha256: oid) == object.size {
                objects.append(["oid": oid, "size": object.size, "authenticated": true])
                continue
            }
            let slot = try await store.openUpload(sha256: oid, size: object.size, in: repository, caller: caller)
            objects.append([
                "oid": oid, "size": object.size, "authenticated": true,
                "actions": [
                    "upload": ["href": "\(endpoint)/api/nuri/uploads/\(slot.id)", "expires_in": HubStore.uploadLifetime],
                    "verify": ["href": "\(endpoint)/\(kind.urlPrefix)\(repository.repositoryID).git/info/lfs/objects/verify", "header": [String: String]()],
                ],
            ])
        }
        return try HubURLs.json(["transfer": "basic", "hash_algo": "sha256", "objects": objects], contentType: "application/vnd.git-lfs+json")
    }

    /// `PUT /api/nuri/uploads/{slot}`: the signed upload URL. The body streams to a temporary
    /// file while its SHA-256 is computed; only a body with the announced hash and size becomes a blob.
    func receiveUpload(_ request: Request, _ context: NuriRequestContext) async throws -> Response {
        guard let slot = try await store.upload(context.parameters.get("upload") ?? "") else {
            throw HubError.forbidden("this upload URL is unknown or has expired; ask the LFS batch API for a new one")
        }
        let writer = try store.blobs.makeWriter()
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try writer.write($0) }
                if writer.size > slot.size {
                    throw HubError.blobMismatch("received more than the announced \(slot.size) bytes")
                }
            }
            let blob = try writer.finish(expectedSHA256: slot.sha256, expectedSize: slot.size)
            try await store.recordBlob(blob, forRepositoryID: slot.repositoryID)
            try await store.closeUpload(slot.id)
        } catch {
            writer.abort()
            throw error
        }
        return try HubURLs.json([:] as [String: Any])
    }

    /// `POST /{repo}.git/info/lfs/objects/verify`: whether the blob arrived intact.
    func lfsVerify(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let id = try HubURLs.repositoryID(context, stripGit: true)
        let repository = try await store.require(.write, on: id, kind: kind, caller: caller(context))
        let body = try await request.decodeJSON(BatchRequest.Object.self, limit: bodyLimit)
        guard try await store.hasBlob(sha256: body.oid.lowercased(), for: repository), store.blobs.size(sha256: body.oid.lowercased()) == body.size else {
            throw HubError.blobMissing(sha256: body.oid)
        }
        return try HubURLs.json(["oid": body.oid.lowercased(), "size": body.size])
    }

    // MARK: commit

    struct CommitLine: Decodable {
        let key: String
        let value: Value

        struct Value: Decodable {
            // header
            let summary: String?
            let description: String?
            let parentCommit: String?
            // file, lfsFile, deletedFile, deletedFolder
            let path: String?
            let content: String?
            let encoding: String?
            let oid: String?
            let algo: String?
            let size: Int?
        }
    }

    /// `POST /api/{models}/{repo}/commit/{branch}`: NDJSON, a header line then one line per
    /// operation. The body is read line by line (each line at most the body limit), and each
    /// regular file goes to the blob store as its line arrives, so a commit of many files never
    /// sits in memory whole.
    func commit(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let caller = caller(context)
        let repository = try await store.require(.write, on: try HubURLs.repositoryID(context), kind: kind, caller: caller)
        let branch = try HubURLs.revision(context)
        if request.uri.queryParameters.get("create_pr") == "1" || request.uri.queryParameters.get("create_pr") == "true" {
            throw HubError.invalidInput(param: "create_pr", message: "pull requests are not supported yet; commit to a branch")
        }
        var header: CommitRequest?
        var operations: [CommitOperation] = []
        let decoder = JSONDecoder()
        for try await line in NDJSONLines(body: request.body, lineLimit: bodyLimit) {
            let parsed: CommitLine
            do {
                parsed = try decoder.decode(CommitLine.self, from: line)
            } catch {
                throw HubError.invalidInput(param: "body", message: "line \(operations.count + (header == nil ? 1 : 2)) is not a commit operation: \(APIError(error).message)")
            }
            let value = parsed.value
            if header == nil {
                guard parsed.key == "header" else { throw HubError.invalidInput(param: "header", message: "the first line must be the header") }
                header = CommitRequest(title: value.summary ?? "", description: value.description ?? "", parentCommit: value.parentCommit)
                continue
            }
            func path() throws -> RepositoryPath {
                guard let path = value.path else { throw HubError.invalidInput(param: "path", message: "a '\(parsed.key)' line needs a path") }
                return try RepositoryPath(path)
            }
            switch parsed.key {
            case "file":
                let target = try path()
                guard value.encoding == nil || value.encoding == "base64", let content = value.content,
                      let bytes = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                    throw HubError.invalidInput(param: "content", message: "'\(target)': content must be base64")
                }
                let array = [UInt8](bytes)
                let blob = try store.blobs.store(array)
                operations.append(.addRegular(path: target, blob: blob, gitOID: GitObjectID.blob(array)))
            case "lfsFile":
                let target = try path()
                guard let oid = value.oid?.lowercased(), SHA256Hex.isValid(oid), (value.algo ?? "sha256") == "sha256" else {
                    throw HubError.invalidInput(param: "oid", message: "'\(target)': an lfsFile needs a SHA-256 oid")
                }
                operations.append(.addLFS(path: target, sha256: oid, size: value.size))
            case "deletedFile":
                operations.append(.deleteFile(try path()))
            case "deletedFolder":
                var text = value.path ?? ""
                while text.hasSuffix("/") { text.removeLast() }
                operations.append(.deleteFolder(try RepositoryPath(text)))
            default:
                throw HubError.invalidInput(param: "key", message: "unknown commit operation '\(parsed.key.prefix(40))'")
            }
        }
        guard var commitRequest = header else { throw HubError.invalidInput(param: "body", message: "the commit body is empty") }
        commitRequest.operations = operations
        let commit = try await store.commit(commitRequest, to: branch, in: repository, author: caller.principal?.user.name)
        let url = HubURLs.repository(repository.repositoryID, kind: kind, request: request) + "/commit/" + commit.id
        return try HubURLs.json(["commitOid": commit.id, "commitUrl": url, "success": true, "hookOutput": ""])
    }
}

/// Splits a streamed body into lines without holding more than one line in memory.
struct NDJSONLines<Body: AsyncSequence & Sendable>: AsyncSequence where Body.Element == ByteBuffer {
    typealias Element = Data
    let body: Body
    let lineLimit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var source: Body.AsyncIterator
        let lineLimit: Int
        var pending = ByteBuffer()
        var finished = false

        mutating func next() async throws -> Data? {
            while true {
                if let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let length = newline - pending.readerIndex
                    let line = Data(pending.readBytes(length: length) ?? [])
                    pending.moveReaderIndex(forwardBy: 1)
                    if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
                    return line
                }
                if pending.readableBytes > lineLimit {
                    throw APIError(status: .contentTooLarge,
                                   message: "a line of the commit is larger than \(lineLimit) bytes; send large files through LFS, or raise max_body_size",
                                   type: "invalid_request_error", code: "body_too_large")
                }
                if finished {
                    guard pending.readableBytes > 0 else { return nil }
                    let line = Data(pending.readBytes(length: pending.readableBytes) ?? [])
                    if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { return nil }
                    return line
                }
                if var chunk = try await source.next() {
                    pending.discardReadBytes()
                    pending.writeBuffer(&chunk)
                } else {
                    finished = true
                }
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(source: body.makeAsyncIterator(), lineLimit: lineLimit)
    }
}
