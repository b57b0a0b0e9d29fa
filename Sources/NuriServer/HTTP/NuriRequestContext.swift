import Hummingbird
import Logging
import NuriIdentity

/// The per-request state every Nuri route sees: Hummingbird's core context and, once the
/// authentication middleware has run, the caller.
public struct NuriRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil on public routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// The caller, or 401 if the route was reached without authentication.
    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw APIError(identity: .unauthenticated("this route needs an API token: send `Authorization: Bearer nuri_…`"))
        }
        return principal
    }

    /// The caller, after checking that the token carries `scope`.
    public func require(_ scope: Scope) throws -> Principal {
        let principal = try requirePrincipal()
        try principal.require(scope)
        return principal
    }
}
