import Hummingbird
import Logging

/// Turns every error a route throws into an ``APIError`` response, so clients always get the
/// same JSON shape. Server-side failures are logged with their real cause, which the client
/// never sees.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError(error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
