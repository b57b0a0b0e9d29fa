import Foundation
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NuriIdentity

/// Records every request once its response is sent: one log line (method, path without the
/// query string, which can carry signed URLs, matched route, status, duration and the caller's
/// user id; never headers or bodies, which carry tokens and personal data) and the request
/// metrics under Hummingbird's names (`hb.requests`, `http.server.request.duration`,
/// `hb.request.errors`, `http.server.active_requests`).
///
/// A small body of known length is not wrapped, so that Hummingbird still writes head and body
/// in one go (wrapping a body in a closure costs a write per part): its record is queued on the
/// event loop as the handler returns, to be done once the response is written. A streamed or
/// large body is recorded once it has been written.
struct RequestRecordMiddleware: RouterMiddleware {
    typealias Context = NuriRequestContext

    /// Bodies up to this size are written at once; their record is not worth a wrapper.
    static let smallBody = 64 << 10
    let metrics = RequestMetrics()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method
        let active = metrics.active(method)
        active.increment()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            metrics.failed(route: context.endpointPath ?? "NotFound", method: method, status: status)
            active.decrement()
            throw error
        }
        let logger = context.logger, metrics = self.metrics
        let path = request.uri.path
        let route = context.endpointPath
        let status = response.status
        let user = context.principal?.user.id
        let body = response.body
        if let length = body.contentLength, length <= Self.smallBody {
            // After the response has gone out, when the event loop gets to it: off the
            // request's path, and still on this thread (a log line is not worth a task).
            if let loop = MultiThreadedEventLoopGroup.currentEventLoop {
                loop.execute { record() }
            } else {
                record()
            }
            return response
        }
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer { record() }
            try await body.write(writer)
        }
        return response

        @Sendable func record() {
            let elapsed = ContinuousClock.now - start
            metrics.finished(route: route ?? "Unknown", method: method, status: status, elapsed: elapsed)
            active.decrement()
            let hundredths = Int(elapsed.components.seconds) * 100_000 + Int(elapsed.components.attoseconds / 10_000_000_000_000)
            var metadata: Logger.Metadata = [
                "method": .string(method.rawValue),
                "path": .string(path),
                "route": .string(route ?? "-"),
                "status": .stringConvertible(status.code),
                "duration_ms": .string(Self.milliseconds(hundredths: hundredths)),
            ]
            if let user { metadata["user"] = .string(user) }
            logger.info("request", metadata: metadata)
        }
    }
}

extension RequestRecordMiddleware {
    /// `12.34` for 1234 hundredths of a millisecond (as `%.2f` would print, truncated, without
    /// Foundation's formatter on every request).
    static func milliseconds(hundredths: Int) -> String {
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// The request metrics, created once per route, method and status and then looked up.
final class RequestMetrics: Sendable {
    struct Key: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    struct Series: Sendable {
        let requests: Counter
        let duration: Timer
        let errors: Counter
    }

    private let series = NIOLockedValueBox<[Key: Series]>([:])
    private let activeMeters = NIOLockedValueBox<[HTTPRequest.Method: Meter]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        activeMeters.withLockedValue { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            meters[method] = meter
            return meter
        }
    }

    func finished(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status, elapsed: Duration) {
        let series = self.series(route: route, method: method, status: status)
        series.requests.increment()
        series.duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    func failed(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        let series = self.series(route: route, method: method, status: status)
        series.requests.increment()
        series.errors.increment()
    }

    private func series(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status) -> Series {
        let key = Key(route: route, method: method, status: status.code)
        return series.withLockedValue { series in
            if let found = series[key] { return found }
            let dimensions = [("http.route", route), ("http.request.method", method.rawValue), ("http.response.status_code", String(status.code))]
            let made = Series(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                errors: Counter(label: "hb.request.errors", dimensions: [("http.route", route), ("http.request.method", method.rawValue),
                                                                         ("error.type", String(status.code))]))
            series[key] = made
            return made
        }
    }
}
