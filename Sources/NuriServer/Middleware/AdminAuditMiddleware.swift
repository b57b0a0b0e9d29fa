import Hummingbird
import Logging
import NuriGuard
import NuriIdentity

/// Appends an audit record for every change made through `/api` (creating organisations, users
/// and tokens, revoking tokens, setting roles and limits, …): who, which route, on what, with
/// which status. Consent and transfer-rule changes record themselves, with more detail, in the
/// same transaction as the change. Bodies are never recorded.
struct AdminAuditMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext
    let audit: AuditLog
    static let changing: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]
    static let selfRecording = ["/api/consents", "/api/guard/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        guard Self.changing.contains(request.method), response.status.code < 400, let principal = context.principal,
              !Self.selfRecording.contains(where: { request.uri.path.hasPrefix($0) }) else { return response }
        let route = context.endpointPath ?? request.uri.path
        do {
            try await audit.append(AuditEntry(
                actor: principal.user.id, organisationID: principal.token.organisationID,
                action: "admin.\(request.method.rawValue.lowercased()) \(route)", target: request.uri.path,
                decision: "done", reason: String(response.status.code)))
        } catch {
            context.logger.error("audit record not written", metadata: ["route": "\(route)", "error": "\(error)"])
        }
        return response
    }
}
