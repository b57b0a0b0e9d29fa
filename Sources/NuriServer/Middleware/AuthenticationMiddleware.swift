import Foundation
import Hummingbird
import NuriIdentity

/// Requires `Authorization: Bearer <token>` on every route it guards and puts the caller in the
/// context. Missing, malformed, unknown, expired and revoked tokens get a 401 that says which.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext
    let identity: IdentityStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(identity: .unauthenticated("this route needs an API token: send `Authorization: Bearer nuri_…` (create one with `nuri admin token create`)"))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(identity: .unauthenticated("the Authorization header must be `Bearer nuri_…`"))
        }
        var context = context
        context.principal = try await identity.authenticate(bearer: String(parts[1]).trimmingCharacters(in: .whitespaces))
        return try await next(request, context)
    }
}
