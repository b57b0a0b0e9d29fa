import Foundation
import Hummingbird
import Logging
import NIOCore
import NuriIdentity

/// Writes one log line per request when its response is sent: method, path (without the query
/// string, which can carry signed URLs), matched route, status, duration and the caller's user
/// id. Never headers or bodies: those carry tokens and personal data.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        let logger = context.logger
        let method = request.method.rawValue
        let path = request.uri.path
        let route = context.endpointPath ?? "-"
        let status = response.status.code
        let user = context.principal?.user.id
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer { log() }
            try await body.write(writer)
        }
        return response

        @Sendable func log() {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
            var metadata: Logger.Metadata = [
                "method": .string(method),
                "path": .string(path),
                "route": .string(route),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ]
            if let user { metadata["user"] = .string(user) }
            logger.info("request", metadata: metadata)
        }
    }
}
