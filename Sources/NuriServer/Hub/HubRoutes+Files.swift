import Foundation
import Hummingbird
import NuriHub

extension HubRoutes {
    /// `HEAD`/`GET /{repo}/resolve/{revision}/{path}`: a file, served directly.
    ///
    /// Checks in an order that leaks nothing: the repository must be visible (404
    /// `RepoNotFound`), the revision must exist (404 `RevisionNotFound`), the caller must have
    /// the files of a gated repository (403 `GatedRepo`), the file must exist (404
    /// `EntryNotFound` with `X-Repo-Commit`). The answer carries `X-Repo-Commit`, the real
    /// `Content-Length` (also on HEAD: the client takes it as the expected size), and an `ETag`
    /// that is a content hash — SHA-256 for large files, the git blob id for regular ones — which
    /// the client uses as its cache key. `Range` gives 206 with `Content-Range`, or 416.
    func resolve(_ kind: RepositoryKind, _ request: Request, _ context: NuriRequestContext) async throws -> Response {
        let id = try HubURLs.repositoryID(context)
        let caller = caller(context)
        let (repository, level) = try await store.access(id, kind: kind, caller: caller)
        let commit = try await store.resolve(try HubURLs.revision(context), in: repository)
        try RepositoryAccess.require(.read, have: level, repository: repository, caller: caller)
        let path: RepositoryPath
        do {
            path = try HubURLs.filePath(context)
        } catch {
            throw HubError.entryNotFound(path: (try? context.parameters.getCatchAll().map(HubURLs.decode).joined(separator: "/")) ?? "", commit: commit.id)
        }
        let entry = try await store.entry(path, in: commit)
        let file = store.blobs.path(sha256: entry.sha256)

        var headers: HTTPFields = [:]
        headers[.xRepoCommit] = commit.id
        headers[.eTag] = "\"\(entry.isLFS ? entry.sha256 : entry.gitOID)\""
        headers[.acceptRanges] = "bytes"
        headers[.contentType] = "application/octet-stream"
        if entry.isLFS {
            headers[.xLinkedSize] = String(entry.size)
            headers[.xLinkedEtag] = "\"\(entry.sha256)\""
        }

        var range: ClosedRange<Int>? = nil
        if let header = request.headers[.range] {
            switch ByteRange.parse(header, size: entry.size) {
            case .whole: break
            case .partial(let r): range = r
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(entry.size)"
                headers[.contentLength] = "0"
                return Response(status: .rangeNotSatisfiable, headers: headers, body: .init())
            }
        }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(entry.size)"
        }
        headers[.contentLength] = String(range?.count ?? entry.size)
        if request.method == .head {
            return Response(status: status, headers: headers, body: .init())
        }
        if (range?.lowerBound ?? 0) == 0 {
            try? await store.recordDownload(repository)
        }
        guard entry.size > 0 else { return Response(status: .ok, headers: headers, body: .init()) }
        let body = try await fileIO.loadFile(path: file, range: range ?? 0...(entry.size - 1), context: context, chunkLength: 1 << 20)
        return Response(status: status, headers: headers, body: body)
    }
}

/// A `Range: bytes=…` header against a file of `size` bytes (one range; several are served whole).
enum ByteRange: Equatable {
    case whole
    case partial(ClosedRange<Int>)
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        let first = parts[0].trimmingCharacters(in: .whitespaces)
        let last = parts[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .partial(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .partial(start...(size - 1)) }
        guard let end = Int(last), end >= start else { return .whole }
        return .partial(start...min(end, size - 1))
    }
}
