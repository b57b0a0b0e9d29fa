import Foundation
import Hummingbird
import NuriIdentity

/// Authenticates the caller when an `Authorization` header is present and lets anonymous
/// requests through (principal nil): the hub serves public repositories to anyone. A header
/// that is present but wrong is still a 401, so a typo in a token is never silently anonymous.
struct OptionalAuthenticationMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext
    let identity: IdentityStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
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
