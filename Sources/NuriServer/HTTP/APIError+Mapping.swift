import Foundation
import Hummingbird
import NuriCompute
import NuriGateway
import NuriGuard
import NuriHub
import NuriIdentity
import NuriStore

extension APIError {
    /// The one place where an error of any module becomes an HTTP status and a message.
    ///
    /// Unknown errors become a 500 whose message says nothing of the internals; the caller logs
    /// the original.
    public init(_ error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as IdentityError:
            self.init(identity: error)
        case let error as StoreError:
            self.init(store: error)
        case let error as GatewayError:
            self.init(gateway: error)
        case let error as GuardError:
            self.init(guard: error)
        case let error as HubError:
            self.init(hub: error)
        case let error as ComputeError:
            self.init(compute: error)
        case let error as SlurmError:
            self.init(slurm: error)
        case let error as DecodingError:
            self.init(decoding: error)
        case let error as any HTTPResponseError:
            self.init(http: error)
        case is CancellationError:
            // The request's task is cancelled when its client closes the connection: nobody
            // reads this answer; the status says what happened in the log and the usage records.
            self.init(status: .clientClosedRequest, message: "the client closed the connection before the answer",
                      type: "client_closed_request", code: "client_closed_request")
        default:
            self.init(status: .internalServerError, message: "internal error; the server log has the details", type: "server_error", code: "internal_error")
        }
    }

    init(identity error: IdentityError) {
        switch error {
        case .unauthenticated(let message):
            self.init(status: .unauthorized, message: message, type: "authentication_error", code: "invalid_api_key",
                      headers: [.wwwAuthenticate: "Bearer realm=\"nuri\""])
        case .forbidden(let message):
            self.init(status: .forbidden, message: message, type: "permission_error", code: "insufficient_permissions")
        case .notFound(let kind, _):
            self.init(status: .notFound, message: error.description, type: "not_found_error", param: kind, code: "\(kind)_not_found")
        case .alreadyExists(let kind, _):
            self.init(status: .conflict, message: error.description, type: "conflict_error", param: "name", code: "\(kind)_exists")
        case .invalidInput(let param, let message):
            self.init(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: "invalid_value")
        }
    }

    init(gateway error: GatewayError) {
        switch error {
        case .modelNotFound:
            self.init(status: .notFound, message: error.description, type: "invalid_request_error", param: "model", code: "model_not_found")
        case .invalidRequest(let param, let message):
            self.init(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: "invalid_value")
        case .contextLengthExceeded:
            self.init(status: .badRequest, message: error.description, type: "invalid_request_error", param: "messages", code: "context_length_exceeded")
        case .backendFailed:
            self.init(status: .badGateway, message: error.description, type: "server_error", code: "backend_error")
        case .blockedByPolicy(let code, let message):
            self.init(status: .forbidden, message: message, type: "permission_error", code: code)
        case .rateLimited(let message, let code, let retryAfter):
            self.init(status: .tooManyRequests, message: message, type: code == "insufficient_quota" ? "insufficient_quota" : "rate_limit_error",
                      code: code, headers: [.retryAfter: String(retryAfter)])
        }
    }

    init(guard error: GuardError) {
        switch error {
        case .invalidInput(let param, let message):
            self.init(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: "invalid_value")
        case .notFound(let message):
            self.init(status: .notFound, message: message, type: "not_found_error", code: "not_found")
        case .conflict(let message):
            self.init(status: .conflict, message: message, type: "conflict_error", code: "conflict")
        case .auditUnavailable(let message):
            self.init(status: .serviceUnavailable, message: message, type: "service_unavailable_error", code: "audit_unavailable")
        }
    }

    init(compute error: ComputeError) {
        switch error {
        case .invalidInput(let param, let message):
            self.init(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: "invalid_value")
        case .notFound(let kind, _):
            self.init(status: .notFound, message: error.description, type: "not_found_error", param: kind, code: "\(kind)_not_found")
        case .conflict(let message):
            self.init(status: .conflict, message: message, type: "conflict_error", code: "conflict")
        case .invalidTransition:
            self.init(status: .conflict, message: error.description, type: "conflict_error", param: "status", code: "invalid_transition")
        case .noActiveAllocation:
            self.init(status: .conflict, message: error.description, type: "conflict_error", param: "project", code: "no_active_allocation")
        }
    }

    init(slurm error: SlurmError) {
        switch error {
        case .notConfigured, .toolMissing:
            self.init(status: .serviceUnavailable, message: error.description, type: "service_unavailable_error", code: "slurm_unavailable")
        case .refused:
            self.init(status: .conflict, message: error.description, type: "conflict_error", code: "slurm_refused")
        case .commandFailed, .unexpectedOutput:
            self.init(status: .badGateway, message: error.description, type: "server_error", code: "slurm_error")
        }
    }

    init(store error: StoreError) {
        switch error {
        case .conflict(let message):
            self.init(status: .conflict, message: message, type: "conflict_error", code: "conflict")
        case .unreachable:
            self.init(status: .serviceUnavailable, message: "the database is not reachable; try again shortly", type: "service_unavailable_error", code: "database_unavailable")
        default:
            self.init(status: .internalServerError, message: "internal database error; the server log has the details", type: "server_error", code: "database_error")
        }
    }

    /// A request body whose JSON does not fit the route's shape: name the field and what it
    /// should be.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        let param: String
        let message: String
        switch error {
        case .typeMismatch(let type, let context):
            param = path(context.codingPath)
            message = "field '\(param)' has the wrong type: expected \(Self.jsonTypeName(type))"
        case .valueNotFound(let type, let context):
            param = path(context.codingPath)
            message = "field '\(param)' must not be null: expected \(Self.jsonTypeName(type))"
        case .keyNotFound(let key, let context):
            param = path(context.codingPath + [key])
            message = "missing required field '\(param)'"
        case .dataCorrupted(let context):
            param = path(context.codingPath)
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            message = param.isEmpty
                ? "the request body is not valid JSON" + (underlying.map { ": \($0)" } ?? "")
                : "field '\(param)' is not valid: \(context.debugDescription)"
        @unknown default:
            param = ""
            message = "the request body does not match the expected shape"
        }
        self.init(status: .badRequest, message: message, type: "invalid_request_error", param: param.isEmpty ? nil : param, code: "invalid_request_body")
    }

    init(http error: any HTTPResponseError) {
        let status = error.status
        let (type, message): (String, String)
        switch status.code {
        case 404: (type, message) = ("not_found_error", "no route for this method and path; see the README for the API")
        case 405: (type, message) = ("invalid_request_error", "this method is not allowed on this path")
        case 413: (type, message) = ("invalid_request_error", "the request body is too large")
        case 400..<500: (type, message) = ("invalid_request_error", Self.message(of: error) ?? status.reasonPhrase)
        default: (type, message) = ("server_error", "internal error; the server log has the details")
        }
        self.init(status: status, message: message, type: type, code: nil)
    }

    private static func message(of error: any HTTPResponseError) -> String? {
        (error as? HTTPError)?.body
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is [String].Type, is [Int].Type: return "an array"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a value of type \(name)"
        }
    }
}

extension HTTPResponse.Status {
    /// 499, as nginx names it: the client closed the connection before the answer was sent.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}
