import Foundation
import Hummingbird
import NuriIdentity

/// Requires `Authorization: Bearer <token>` on every route it guards and puts the caller in the
/// context. Missing, malformed, unknown, expired and revoked tokens get a 401 that says which.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext
    let identity: IdentityStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = Self.authorization(request.headers) else {
            throw APIError(identity: .unauthenticated("this route needs an API token: send `Authorization: Bearer nuri_…` (create one with `nuri admin token create`)"))
        }
        guard let token = Self.bearerToken(header) else {
            throw APIError(identity: .unauthenticated("the Authorization header must be `Bearer nuri_…`"))
        }
        var context = context
        context.principal = try await identity.authenticate(bearer: token)
        return try await next(request, context)
    }

    /// The Authorization header's value. A scan for the one field, not the fields' subscript,
    /// which joins what it finds through a generic path on every request; several fields are
    /// still joined as it does (and then refused).
    static func authorization(_ headers: HTTPFields) -> String? {
        var found: String?
        for field in headers where field.name == .authorization {
            guard found == nil else { return headers[.authorization] }
            found = field.value
        }
        return found
    }

    /// The token of `Bearer <token>` (the scheme in any case; spaces around the token, and tabs
    /// after it, dropped), read byte by byte: this runs on every request.
    static func bearerToken(_ header: String) -> String? {
        let bytes = header.utf8
        var index = bytes.startIndex
        func skipSpaces() {
            while index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") { index = bytes.index(after: index) }
        }
        skipSpaces()
        let schemeStart = index
        while index < bytes.endIndex, bytes[index] != UInt8(ascii: " ") { index = bytes.index(after: index) }
        // ASCII letters only match when lowered with 0x20; nothing else lowers onto "bearer".
        guard bytes[schemeStart..<index].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        skipSpaces()
        var end = bytes.endIndex
        while end > index, case let last = bytes[bytes.index(before: end)], last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            end = bytes.index(before: end)
        }
        guard index < end else { return nil }
        return String(header[index..<end])
    }
}
