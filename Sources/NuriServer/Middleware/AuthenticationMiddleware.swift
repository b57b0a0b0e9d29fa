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
        // Trailing spaces and tabs, as `trimmingCharacters(in: .whitespaces)` would drop (the split
        // already took the leading ones), without Foundation's bridging on every request.
        var token = parts[1]
        while let last = token.last, last == " " || last == "\t" { token = token.dropLast() }
        context.principal = try await identity.authenticate(bearer: String(token))
        return try await next(request, context)
    }
}
