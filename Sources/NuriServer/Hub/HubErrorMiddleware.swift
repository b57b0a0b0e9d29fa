import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NuriHub
import NuriIdentity

/// Renders every error of the Hugging Face-compatible routes the way `huggingface_hub` reads
/// them: a JSON body `{"error": "…"}` plus `X-Error-Code` and `X-Error-Message` headers — on
/// HEAD answers too, which have no body. Without the code a missing repository would surface
/// in the client as "check your connection".
struct HubErrorMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HubError {
            let (status, code) = APIError.hubStatus(error)
            var headers: HTTPFields = [:]
            if case .entryNotFound(_, let commit?) = error { headers[.xRepoCommit] = commit }
            if case .repositoryExists(let id) = error {
                // create_repo(exist_ok=True) reads the URL from the 409's body.
                let kind = request.uri.path.contains("datasets") ? "datasets/" : ""
                return Self.render(status: status, code: code, message: error.description, headers: headers, request: request,
                                   extra: ["url": HubURLs.endpoint(of: request) + "/" + kind + id])
            }
            return Self.render(status: status, code: code, message: error.description, headers: headers, request: request)
        } catch let error as IdentityError {
            let api = APIError(identity: error)
            // The Hub's wording for a bad token: the client then does not mistake it for a missing repository.
            let message = api.status == .unauthorized ? "Invalid credentials in Authorization header" : api.message
            return Self.render(status: api.status, code: api.status == .unauthorized ? "Unauthorized" : "Forbidden", message: message,
                               detail: api.message, headers: [:], request: request)
        } catch {
            let api = APIError(error)
            if api.status.code >= 500 {
                context.logger.error("hub request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return Self.render(status: api.status, code: api.code ?? "Error", message: api.message, headers: api.headers, request: request)
        }
    }

    static func render(status: HTTPResponse.Status, code: String, message: String, detail: String? = nil, headers: HTTPFields,
                       request: Request, extra: [String: String] = [:]) -> Response {
        var fields = headers
        fields[.xErrorCode] = code
        // Header values must be one line of visible ASCII.
        fields[.xErrorMessage] = String(message.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" }.prefix(400))
        fields[.contentType] = "application/json"
        var object: [String: Any] = ["error": detail ?? message]
        for (key, value) in extra { object[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        if request.method == .head {
            fields[.contentLength] = "0"
            return Response(status: status, headers: fields, body: .init())
        }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let xErrorCode = Self("X-Error-Code")!
    static let xErrorMessage = Self("X-Error-Message")!
    static let xRepoCommit = Self("X-Repo-Commit")!
    static let xLinkedSize = Self("X-Linked-Size")!
    static let xLinkedEtag = Self("X-Linked-Etag")!
    static let xDownloadCounter = Self("X-HF-Download-Counter")!
    static let link = Self("Link")!
}
