import Foundation
import Hummingbird

/// The one error value every route returns, rendered in OpenAI's shape so that OpenAI clients
/// surface the message:
///
/// ```json
/// {"error": {"message": "…", "type": "invalid_request_error", "param": "scopes", "code": "invalid_value"}}
/// ```
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    /// What went wrong and what to do about it.
    public let message: String
    /// The error family: `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `conflict_error`, `rate_limit_error`, `server_error`, `service_unavailable_error`.
    public let type: String
    /// The request field at fault, when there is one.
    public let param: String?
    /// A stable machine-readable code.
    public let code: String?
    /// Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers
    }

    struct Body: Encodable {
        struct Inner: Encodable {
            let message: String
            let type: String
            let param: String?
            let code: String?

            func encode(to encoder: any Encoder) throws {
                // OpenAI sends explicit nulls; clients look for the keys.
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }

            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        let error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(Body(error: .init(message: message, type: type, param: param, code: code)))
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
