import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Synchronization

/// Nuri's HTTP/1.1 connections: Hummingbird's pipeline, except that the inference routes
/// (``DirectRoutes``) are answered by ``DirectRouteHandler`` right after the HTTP/1 codec, with
/// one task per request, instead of passing through HTTP-types conversion, Hummingbird's
/// connection-state handler and the connection's async streams of request and response parts.
/// Same router, same middleware, same responses, less work per request (docs/BENCHMARKS.md,
/// "Gateway overhead").
///
/// The pipeline: NIO's HTTP/1 codec with its pipelining assistance (a request sent before the
/// previous answer has ended waits until it has, so answers go out in order whichever path
/// serves them; on graceful shutdown it closes each connection once its answer in flight has
/// ended), the direct routes, then Hummingbird's: HTTP types, connection state and its request
/// loop for everything else.
struct NuriHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let direct: DirectRoutes

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // Hummingbird's limits for request heads.
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = 80 << 10
            limits.maxHeaderListSize = 80 << 10
            limits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false,
                                                     withOutboundHeaderValidation: false, withEncoderConfiguration: .init(),
                                                     withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(DirectRouteHandler(routes: direct, executor: EventLoopTaskExecutor(channel.eventLoop)))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    /// Hummingbird's request loop for the connection, its nonisolated code kept on the
    /// connection's event loop (see ``EventLoopTaskExecutor``).
    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await handleHTTP(asyncChannel: value, logger: logger)
        }
    }
}

/// The routes answered inside the channel: POSTs to these paths with a `Content-Length` within
/// the body limit (anything else, chunked or `Expect: 100-continue` included, goes the usual
/// way, which answers it as before). They pass through the same responder (router and
/// middleware) and get the same `Date` and `Server` headers as Hummingbird's.
struct DirectRoutes: Sendable {
    let paths: Set<String>
    let bodyLimit: Int
    let responder: RouterResponder<NuriRequestContext>
    let logger: Logger
    let serverName: String?

    /// The body's length when `head` is a request for these routes.
    func bodyLength(_ head: HTTPRequestHead) -> Int? {
        guard head.method == .POST, paths.contains(head.uri), !head.headers.contains(name: "expect"),
              !head.headers.contains(name: "transfer-encoding"),
              let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), (0...bodyLimit).contains(length)
        else { return nil }
        return length
    }

    /// A direct request's HTTP-types request: a POST to one of the routes' exact paths (see
    /// ``bodyLength(_:)``), so the request NIO's conversion makes, without that conversion's URL
    /// parsing of the target (which, for a bare path, gives the path back).
    static func request(_ head: HTTPRequestHead) -> HTTPRequest {
        HTTPRequest(method: .post, scheme: "http", authority: head.headers.first(name: "host"), path: head.uri,
                    headerFields: HTTPFields(head.headers, splitCookie: false))
    }

    func respond(to request: Request, channel: any Channel) async -> Response {
        var logger = self.logger
        logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        let context = NuriRequestContext(source: .init(channel: channel, logger: logger))
        var response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
            response = Response(status: .internalServerError)
        }
        response.headers[.date] = HTTPDate.now()
        if let serverName { response.headers[.server] = serverName }
        return response
    }
}

/// Answers the ``DirectRoutes`` requests of one connection and passes every other request on,
/// part by part. A direct request's body is collected here (its length is known and within
/// the limit), then one task runs the responder and writes the answer through this handler. The
/// task starts inline (`Task.immediate`), on the event loop that read the request. The
/// connection closing cancels that task (a stream's generation stops at once).
final class DirectRouteHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A part of a direct answer, as the responder gives it.
    enum Part: Sendable {
        case head(HTTPResponse)
        case body(ByteBuffer)
        case end
    }

    private enum State {
        case idle
        /// A request for Hummingbird's side, until its end.
        case passing
        case collecting(HTTPRequestHead, ByteBuffer)
        /// A direct request's answer is being written.
        case responding(version: HTTPVersion, keepAlive: Bool)
    }

    private let routes: DirectRoutes
    /// Where this connection's request tasks run: its event loop.
    private let executor: EventLoopTaskExecutor
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var task: Task<Void, Never>?
    private var flushScheduled = false
    /// Whether a request's task is running inline, inside ``start(head:body:context:)``.
    private var startingInline = false
    /// Counts the requests started, to tell whether the one started inline is still the current one.
    private var generation = 0
    /// Completed once the channel can take more (a writer waits on it).
    private var writable: EventLoopPromise<Void>?

    init(routes: DirectRoutes, executor: EventLoopTaskExecutor) {
        self.routes = routes
        self.executor = executor
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        task?.cancel()
        task = nil
        writable?.fail(ChannelError.ioOnClosedChannel)
        writable = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let writable {
            self.writable = nil
            writable.succeed()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch state {
        case .idle:
            if case .head(let head) = part, let length = routes.bodyLength(head) {
                state = .collecting(head, context.channel.allocator.buffer(capacity: length))
                return
            }
            if case .head = part { state = .passing }
            context.fireChannelRead(data)
        case .passing:
            if case .end = part { state = .idle }
            context.fireChannelRead(data)
        case .collecting(let head, var body):
            switch part {
            case .body(var bytes):
                state = .idle  // so that `body` is not shared while it grows
                body.writeBuffer(&bytes)
                state = .collecting(head, body)
            case .end:
                start(head: head, body: body, context: context)
            case .head:
                // The codec ends a request before the next head; this cannot come.
                context.close(promise: nil)
            }
        case .responding:
            // The pipelining assistance holds the next request back until this answer has ended.
            context.close(promise: nil)
        }
    }

    private func start(head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let converted = DirectRoutes.request(head)
        state = .responding(version: head.version, keepAlive: head.isKeepAlive)
        let request = Request(head: converted, body: RequestBody(buffer: body))
        let routes = self.routes, channel = context.channel
        let writer = DirectBodyWriter(handler: NIOLoopBound(self, eventLoop: context.eventLoop))
        let answer: @Sendable () async -> Void = {
            let response = await routes.respond(to: request, channel: channel)
            do {
                try await writer.send(.head(response.head))
                try await response.body.write(writer)
            } catch {
                // The client left, or the body failed after its head went out: nothing more
                // can be said on this connection.
                channel.close(promise: nil)
            }
        }
        generation &+= 1
        let mine = generation
        guard !startingInline else {
            // Delivered by the end of an answer that was itself started inline (pipelined
            // requests answered at once): queued, so that a burst of them does not nest.
            task = Task(executorPreference: executor, operation: answer)
            return
        }
        // Run at once, on this thread, up to the task's first suspension (the upstream's answer,
        // say), rather than queued behind this event-loop turn: one pass through the loop less.
        startingInline = true
        let started = Task.immediate(executorPreference: executor, operation: answer)
        startingInline = false
        // The answer may have ended already (an error, a pipelined request started since).
        if generation == mine, case .responding = state { task = started }
        // The connection closed while the task ran: it has to stop.
        if self.context == nil { started.cancel() }
    }

    /// Writes one part of the answer; returns a future to wait on when the channel is not
    /// writable (back-pressure), nil otherwise. Bodies are flushed once the current event-loop
    /// turn ends, so that a head, a whole body and its end leave in one write.
    fileprivate func send(_ part: Part) throws -> EventLoopFuture<Void>? {
        guard let context, case .responding(let version, let keepAlive) = state else { throw ChannelError.ioOnClosedChannel }
        switch part {
        case .head(let response):
            var head = HTTPResponseHead(response)
            head.version = version
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            return nil
        case .body(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            if !context.channel.isWritable {
                context.flush()
                if context.channel.isWritable { return nil }
                let promise = writable ?? context.eventLoop.makePromise(of: Void.self)
                writable = promise
                return promise.futureResult
            }
            if !flushScheduled {
                flushScheduled = true
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                context.eventLoop.execute {
                    handler.value.flushScheduled = false
                    handler.value.context?.flush()
                }
            }
            return nil
        case .end:
            // Idle before the end goes out: the pipelining assistance may hand over the next
            // request as it does.
            state = .idle
            task = nil
            if keepAlive {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            }
            return nil
        }
    }
}

/// The body writer of a direct answer: each part goes to ``DirectRouteHandler`` on its event
/// loop (directly when the task already runs there, as it does: tasks run on the event loops).
struct DirectBodyWriter: ResponseBodyWriter, Sendable {
    let handler: NIOLoopBound<DirectRouteHandler>

    func send(_ part: DirectRouteHandler.Part) async throws {
        if handler.eventLoop.inEventLoop {
            if let wait = try handler.value.send(part) { try await wait.get() }
        } else {
            let loop = handler.eventLoop
            try await loop.flatSubmit { [handler] in
                do {
                    return try handler.value.send(part) ?? loop.makeSucceededVoidFuture()
                } catch {
                    return loop.makeFailedFuture(error)
                }
            }.get()
        }
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await send(.body(buffer))
    }

    /// Trailers are not sent (no route gives any).
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await send(.end)
    }
}

/// Runs a task's nonisolated code on one event loop. NIO runs Swift's jobs there as the loop's
/// serial executor, so every step to "any executor" (a `for await`, a continuation, a
/// nonisolated async call after isolated code) queues the task again behind the loop's other
/// work; with this preference the task stays where it is and such steps run inline.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The `Date` header's value (RFC 9110's IMF-fixdate), made once a second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((0, ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String {
        let second = time(nil)
        return cache.withLock { cached in
            if cached.second == second { return cached.text }
            let text = format(second)
            cached = (second, text)
            return text
        }
    }

    static func format(_ second: Int) -> String {
        var time = time_t(second), parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
