import Foundation
import HTTPTypes
import Hummingbird
import NuriHub

/// URLs and path pieces of the Hugging Face-compatible API.
enum HubURLs {
    /// `http://host:port` as the client addressed the server: `huggingface_hub` accepts URLs in
    /// answers (`url`, `commitUrl`) only on its `HF_ENDPOINT`'s host name.
    static func endpoint(of request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" ? "https" : "http"
        return "\(scheme)://\(host)"
    }

    /// The URL of a repository's page (what `create_repo` returns).
    static func repository(_ id: RepositoryID, kind: RepositoryKind, request: Request) -> String {
        "\(endpoint(of: request))/\(kind.urlPrefix)\(id)"
    }

    /// One raw path segment, percent-decoded (routing happens before decoding, so an encoded
    /// `refs%2Fpr%2F1` stays one segment).
    static func decode(_ segment: some StringProtocol) throws -> String {
        guard let decoded = String(segment).removingPercentEncoding else {
            throw HubError.invalidInput(param: "path", message: "the URL has an invalid percent-encoding")
        }
        return decoded
    }

    /// `owner/name` from the route's `owner` and `name` parameters (`name` may end in `.git`).
    static func repositoryID(_ context: NuriRequestContext, stripGit: Bool = false) throws -> RepositoryID {
        let owner = try decode(context.parameters.get("owner") ?? "")
        var name = try decode(context.parameters.get("name") ?? "")
        if stripGit {
            guard name.hasSuffix(".git") else { throw HubError.repositoryNotFound("\(owner)/\(name)") }
            name = String(name.dropLast(4))
        }
        do {
            return try RepositoryID(owner: owner, name: name)
        } catch {
            throw HubError.repositoryNotFound("\(owner)/\(name)")
        }
    }

    /// The revision parameter, percent-decoded.
    static func revision(_ context: NuriRequestContext) throws -> String {
        try decode(context.parameters.get("revision") ?? "main")
    }

    /// The file path after the revision: the catch-all segments, each decoded, joined by `/`.
    static func filePath(_ context: NuriRequestContext) throws -> RepositoryPath {
        let segments = try context.parameters.getCatchAll().map(decode)
        return try RepositoryPath(segments.joined(separator: "/"))
    }

    /// Dates as the client parses them: `2026-11-29T06:40:00.000Z`.
    static func date(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A JSON answer from plain values (the Hub's shapes are wide and mostly optional).
    static func json(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], contentType: String = "application/json") throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The next page's URL: the request's own URL with `cursor` replaced.
    static func nextPage(_ request: Request, cursor: Int) -> String {
        var items = (URLComponents(string: request.uri.string)?.queryItems ?? []).filter { $0.name != "cursor" }
        items.append(URLQueryItem(name: "cursor", value: String(cursor)))
        var components = URLComponents()
        components.queryItems = items
        return endpoint(of: request) + request.uri.path + "?" + (components.percentEncodedQuery ?? "")
    }

    /// One page of `items` from the request's `cursor` (an offset) and `limit` (at most 1000),
    /// with the `Link: <…>; rel="next"` header when more remain.
    static func page<T>(_ items: [T], request: Request, defaultLimit: Int = 1000) -> ([T], HTTPFields) {
        let query = request.uri.queryParameters
        let cursor = max(0, query.get("cursor").flatMap { Int($0) } ?? 0)
        let limit = min(1000, max(1, query.get("limit").flatMap { Int($0) } ?? defaultLimit))
        let start = min(cursor, items.count)
        let end = min(items.count, start + limit)
        var headers: HTTPFields = [:]
        if end < items.count {
            headers[.link] = "<\(nextPage(request, cursor: end))>; rel=\"next\""
        }
        return (Array(items[start..<end]), headers)
    }
}
