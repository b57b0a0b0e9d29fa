import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// The HTTP/1.1 client the gateway talks to upstream servers with.
///
/// Built for a proxy's one job, one request at a time per connection, and little else:
/// - Connections are kept alive and reused. An idle connection is taken from the event loop the
///   asking task runs on when there is one, so that a request and its upstream exchange stay on
///   one thread (the server runs Swift tasks on its event loops).
/// - The request's head and body leave in one write.
/// - The answer's body is an async sequence with back-pressure: the connection reads no further
///   than its consumer (16 buffers ahead).
/// - A consumer that stops reading a body before its end closes the connection. A cancelled
///   request closes it too.
/// - A request that finds its reused connection closed by the upstream (keep-alive timeouts race
///   with new requests) is sent again on a fresh connection, once per stale connection. Nothing
///   of an answer had been received, so the upstream never saw it.
/// - A request whose task is cancelled before the answer's head (its client left) closes its
///   connection and throws `CancellationError`, which says so, rather than an upstream failure.
public final class UpstreamClient: Sendable {
    public struct Configuration: Sendable {
        /// How long a connection may take to open before the replica counts as down.
        public var connectTimeout: TimeAmount = .seconds(2)
        /// A connection that receives nothing this long, in an exchange or idle in the pool, is closed.
        public var idleTimeout: TimeAmount = .seconds(300)
        /// Idle connections kept per upstream; more are closed when released.
        public var maxIdlePerUpstream = 256
        /// Certificates trusted for `https` besides the system's (an internal certificate authority).
        public var additionalTrustRoots: [NIOSSLCertificate] = []

        public init() {}
    }

    let group: any EventLoopGroup
    let configuration: Configuration
    /// The group's loops, to tell whether a task runs on one of them.
    let loops: [ObjectIdentifier]
    let idle = NIOLockedValueBox<[UpstreamKey: [any Channel]]>([:])
    let tls: NIOLockedValueBox<NIOSSLContext?> = .init(nil)

    /// The process's client, on NIO's shared event loops (the ones the server runs on).
    public static let shared = UpstreamClient()

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, configuration: Configuration = .init()) {
        self.group = group
        self.configuration = configuration
        loops = group.makeIterator().map { ObjectIdentifier($0) }
    }

    /// Sends one request and returns once the answer's head has arrived (or `timeout` has passed:
    /// then ``UpstreamError/timedOut``). The body follows in the response's ``UpstreamResponse/body``.
    public func execute(_ method: HTTPMethod, _ url: UpstreamURL, path: String, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
                        timeout: TimeAmount) async throws -> UpstreamResponse {
        try await execute(UpstreamRequest(method, url, path: path, headers: headers), body: body, timeout: timeout)
    }

    /// Sends a prepared request with `body` (its length is added to the head).
    public func execute(_ request: UpstreamRequest, body: ByteBuffer? = nil, timeout: TimeAmount) async throws -> UpstreamResponse {
        let head = request.head(bodyLength: body?.readableBytes)
        while true {
            let (channel, reused) = try await connection(to: request.key)
            do {
                return try await send(UpstreamExchange(method: request.method, head: head, body: body, timeout: timeout,
                                                       promise: channel.eventLoop.makePromise()), on: channel)
            } catch UpstreamError.closedBeforeAnswer where reused {
                continue
            }
        }
    }

    private func send(_ exchange: UpstreamExchange, on channel: any Channel) async throws -> UpstreamResponse {
        // A pooled connection can close between being taken and being written to; the write then
        // never reaches the handler and fails here, which must fail the request (as a stale
        // connection, to be retried), or it would wait for ever.
        // Once the handler has the exchange, its own paths end it (and say why: a TLS failure, say).
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in
            if !exchange.delivered { exchange.promise.fail(UpstreamError.closedBeforeAnswer) }
        }
        channel.writeAndFlush(exchange, promise: written)
        let future = exchange.promise.futureResult
        do {
            return try await withTaskCancellationHandler {
                try await future.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch where Task.isCancelled {
            // Closed by the cancellation above: the asker left, the upstream did not fail.
            throw CancellationError()
        }
    }

    /// An idle connection to the upstream (preferring the current event loop's), or a new one.
    private func connection(to key: UpstreamKey) async throws -> (any Channel, reused: Bool) {
        let current = MultiThreadedEventLoopGroup.currentEventLoop.flatMap { loop in loops.contains(ObjectIdentifier(loop)) ? loop : nil }
        let pooled: (any Channel)? = idle.withLockedValue { idle in
            guard var channels = idle[key], !channels.isEmpty else { return nil }
            let index = current.flatMap { loop in channels.lastIndex { $0.eventLoop === loop } } ?? channels.count - 1
            let channel = channels.remove(at: index)
            idle[key] = channels
            return channel
        }
        if let pooled, pooled.isActive { return (pooled, true) }
        return (try await connect(key, on: current ?? group.next()), false)
    }

    private func connect(_ key: UpstreamKey, on loop: any EventLoop) async throws -> any Channel {
        let sslContext = key.tls ? try tlsContext() : nil
        let serverName = key.host.contains(":") || key.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : key.host
        let idleTimeout = configuration.idleTimeout
        let release: @Sendable (any Channel) -> Void = { [weak self] channel in self?.release(channel, key) }
        // Over TLS the connection is ready once its handshake is done; a failed handshake is
        // this connection's failure (the replica's, for failover), not a request's.
        let handshake: EventLoopPromise<Void>? = key.tls ? loop.makePromise() : nil
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let sslContext { try operations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)) }
                    try operations.addHandler(UpstreamConnectionHandler(idleTimeout: idleTimeout, handshake: handshake, release: release))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: key.host, port: key.port).get()
        } catch {
            handshake?.fail(error)  // no channel may have been made to fail it (an unknown host)
            throw Self.connectFailure(error, host: key.host)
        }
        channel.closeFuture.whenComplete { [weak self] _ in self?.forget(channel, key) }
        if let handshake {
            do {
                try await handshake.futureResult.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
        }
        return channel
    }

    /// One line for the log and the 502: the first address's reason ("Connection refused").
    static func connectFailure(_ error: any Error, host: String) -> UpstreamError {
        switch error {
        case let error as NIOConnectionError:
            let reason = error.connectionErrors.first.map { failure -> String in
                if let io = failure.error as? IOError { return String(cString: strerror(io.errnoCode)) }
                return "\(failure.error)"
            } ?? (error.dnsAError ?? error.dnsAAAAError).map { "no address for \(host): \($0)" } ?? "no address for \(host)"
            return .connectFailed(reason)
        case ChannelError.connectTimeout(let timeout):
            return .connectFailed("no connection within \(timeout.nanoseconds / 1_000_000) ms")
        default:
            return .connectFailed("\(error)")
        }
    }

    private func release(_ channel: any Channel, _ key: UpstreamKey) {
        let kept = idle.withLockedValue { idle in
            guard idle[key, default: []].count < configuration.maxIdlePerUpstream else { return false }
            idle[key, default: []].append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    private func forget(_ channel: any Channel, _ key: UpstreamKey) {
        idle.withLockedValue { idle in
            idle[key]?.removeAll { $0 === channel }
        }
    }

    private func tlsContext() throws -> NIOSSLContext {
        try tls.withLockedValue { context in
            if let context { return context }
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if !configuration.additionalTrustRoots.isEmpty {
                tlsConfiguration.additionalTrustRoots = [.certificates(configuration.additionalTrustRoots)]
            }
            let made = try NIOSSLContext(configuration: tlsConfiguration)
            context = made
            return made
        }
    }

    /// Closes every idle connection (in-flight ones close as their answers end).
    public func closeIdle() {
        let channels = idle.withLockedValue { idle in
            defer { idle = [:] }
            return idle.values.flatMap { $0 }
        }
        channels.forEach { $0.close(promise: nil) }
    }
}

/// What went wrong between the gateway and an upstream.
public enum UpstreamError: Error, CustomStringConvertible, Equatable {
    case connectFailed(String)
    /// The connection closed before an answer's head arrived.
    case closedBeforeAnswer
    /// The connection closed in the middle of an answer's body.
    case closedDuringAnswer
    /// No answer within the request's time, or nothing received for the idle timeout.
    case timedOut
    case protocolError(String)
    /// A body was larger than the caller accepts.
    case bodyTooLarge(Int)
    /// The TLS handshake failed (an untrusted or mismatched certificate, say).
    case tlsFailed(String)

    public var description: String {
        switch self {
        case .connectFailed(let reason): "could not connect (\(reason))"
        case .closedBeforeAnswer: "the connection closed before an answer"
        case .closedDuringAnswer: "the connection closed in the middle of the answer"
        case .timedOut: "no answer in time"
        case .protocolError(let reason): "the answer is not valid HTTP (\(reason))"
        case .bodyTooLarge(let limit): "the answer is larger than \(limit) bytes"
        case .tlsFailed(let reason): "TLS failed (\(reason))"
        }
    }
}

/// An upstream's answer: status and headers once they arrive, the body as it comes.
public struct UpstreamResponse: Sendable {
    public let status: HTTPResponseStatus
    let head: UpstreamHead
    public let body: UpstreamBody

    /// The answer's headers, made from its head's bytes when asked for.
    public var headers: HTTPHeaders { head.headers }
}

struct UpstreamKey: Hashable, Sendable {
    let tls: Bool
    let host: String
    let port: Int

    init(_ url: UpstreamURL) {
        tls = url.tls
        host = url.host
        port = url.port
    }
}

/// A request's method, target and headers, encoded once: a backend prepares one per replica and
/// path when it is made, and each request adds only its body's length.
public struct UpstreamRequest: Sendable {
    public let method: HTTPMethod
    let key: UpstreamKey
    /// The request line and the headers, each line ending in CRLF; no blank line yet.
    let encoded: ByteBuffer

    /// `headers` come from the configuration, checked when it was read; `host` is the URL's,
    /// and `content-length` is the body's, added to each request.
    public init(_ method: HTTPMethod, _ url: UpstreamURL, path: String, headers: HTTPHeaders = [:]) {
        self.method = method
        key = UpstreamKey(url)
        var out = ByteBuffer()
        out.writeString(method.rawValue)
        out.writeStaticString(" ")
        out.writeString(url.target(path))
        out.writeStaticString(" HTTP/1.1\r\nhost: ")
        out.writeString(url.hostHeader)
        out.writeStaticString("\r\n")
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard lowered != "host", lowered != "content-length" else { continue }
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        encoded = out
    }

    /// The whole head, with `content-length` when there is a body.
    func head(bodyLength: Int?) -> ByteBuffer {
        var head = ByteBuffer()
        head.reserveCapacity(encoded.readableBytes + 40)
        head.writeImmutableBuffer(encoded)
        if let bodyLength {
            head.writeStaticString("content-length: ")
            head.writeString(String(bodyLength))
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("\r\n")
        return head
    }
}

/// One request on its way: the handler writes it and fulfils the promise with the answer's head.
final class UpstreamExchange: @unchecked Sendable {
    // Written once before the exchange is handed to its connection's event loop, then only used
    // there.
    let method: HTTPMethod
    let head: ByteBuffer
    let body: ByteBuffer?
    let timeout: TimeAmount
    let promise: EventLoopPromise<UpstreamResponse>
    /// Whether the connection's handler received it (set and read on the event loop).
    var delivered = false

    init(method: HTTPMethod, head: ByteBuffer, body: ByteBuffer?, timeout: TimeAmount, promise: EventLoopPromise<UpstreamResponse>) {
        self.method = method
        self.head = head
        self.body = body
        self.timeout = timeout
        self.promise = promise
    }
}

/// The end of a connection's pipeline: sends one exchange at a time and hands its answer over.
final class UpstreamConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = UpstreamExchange
    typealias OutboundOut = ByteBuffer

    private let release: @Sendable (any Channel) -> Void
    private let idleTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    /// The exchange in flight, and its number on this connection.
    private var exchange: UpstreamExchange?
    private var number = 0
    private var source: UpstreamBodyChannel?
    /// Reads the exchange's answer (nil: no exchange, or its answer has ended).
    private var parser: UpstreamResponseParser?
    /// Bytes received and not yet parsed (a head, a chunk-size line, cut by the read's end).
    private var pending = ByteBuffer()
    /// Body bytes of the current read, not yet handed over.
    private var received = ByteBuffer()
    private var keepAlive = true
    /// When the exchange in flight must have its head.
    private var headDeadline: NIODeadline?
    private var lastRead = NIODeadline.now()
    /// One timer per connection, for whichever deadline comes first; it checks when it fires
    /// and sets itself again, so that a read costs a clock reading, not a timer.
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// Reads wait while the body's consumer is 16 buffers behind.
    private var consumerReady = true
    private var readPending = false

    /// Completed when the TLS handshake is done (nil: plain HTTP).
    private var handshake: EventLoopPromise<Void>?

    init(idleTimeout: TimeAmount, handshake: EventLoopPromise<Void>?, release: @escaping @Sendable (any Channel) -> Void) {
        self.idleTimeout = idleTimeout
        self.handshake = handshake
        self.release = release
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            handshake?.succeed()
            handshake = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Fails a handshake still awaited (a no-op once it is done).
    private func endHandshake(_ error: UpstreamError) {
        handshake?.fail(error)
        handshake = nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastRead = .now()
        arm(lastRead + idleTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        endHandshake(UpstreamError.tlsFailed("the connection closed during the handshake"))
        fail(UpstreamError.closedBeforeAnswer)
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        exchange.delivered = true
        guard self.exchange == nil, context.channel.isActive else {
            exchange.promise.fail(UpstreamError.closedBeforeAnswer)
            return
        }
        self.exchange = exchange
        number += 1
        consumerReady = true
        parser = UpstreamResponseParser(method: exchange.method)
        let deadline = NIODeadline.now() + exchange.timeout
        headDeadline = deadline
        arm(deadline)
        if let body = exchange.body {
            context.write(wrapOutboundOut(exchange.head), promise: nil)
            context.writeAndFlush(wrapOutboundOut(body), promise: promise)
        } else {
            context.writeAndFlush(wrapOutboundOut(exchange.head), promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        var buffer = unwrapInboundIn(data)
        guard parser != nil else {
            // Bytes with no exchange to answer: the connection is out of step.
            context.close(promise: nil)
            return
        }
        if pending.readableBytes == 0 {
            pending = buffer
        } else {
            pending.writeBuffer(&buffer)
        }
        // The body's bytes of one read (every chunk of a chunked body) go to the consumer
        // together, at the read's end: one wake-up, not one per chunk.
        do {
            while parser != nil {
                switch try parser!.parse(&pending, body: &received) {
                case .needMore:
                    return
                case .head(let head, let keepAlive):
                    answer(head, keepAlive: keepAlive, context: context)
                case .end:
                    end(context: context)
                }
            }
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    /// The answer's head has come: the asker gets the response, its body to follow.
    private func answer(_ head: UpstreamHead, keepAlive: Bool, context: ChannelHandlerContext) {
        guard let exchange, source == nil else { return }
        headDeadline = nil
        self.keepAlive = keepAlive
        // The consumer's wishes come from wherever it runs; the handler hears them on its loop.
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop), number = self.number
        let channel = UpstreamBodyChannel(
            onDemand: { handler.eventLoop.execute { handler.value.consumerWantsMore(number) } },
            onTerminate: { handler.eventLoop.execute { handler.value.consumerLeft(number) } })
        source = channel
        exchange.promise.succeed(UpstreamResponse(status: head.status, head: head, body: UpstreamBody(channel)))
    }

    /// The answer has ended: its last bytes go to the consumer, and the connection back to the
    /// pool, unless the answer said to close it or bytes came after its end.
    private func end(context: ChannelHandlerContext) {
        let source = self.source
        deliver(context: context)
        self.source = nil
        exchange = nil
        parser = nil
        consumerReady = true
        // Back in the pool before the body's consumer learns the body has ended: a consumer
        // that sends its next request at once must find this connection there.
        if keepAlive, pending.readableBytes == 0, context.channel.isActive {
            release(context.channel)
        } else {
            pending = ByteBuffer()
            context.close(promise: nil)
        }
        source?.finish()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver(context: context)
        context.fireChannelReadComplete()
    }

    /// Hands what the last read brought to the body's consumer.
    private func deliver(context: ChannelHandlerContext) {
        guard received.readableBytes > 0, let source else { return }
        let buffer = received
        received = ByteBuffer()
        switch source.yield(buffer) {
        case .produceMore: break
        case .stopProducing: consumerReady = false
        case .dropped: context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if consumerReady {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if source != nil, parser?.endsAtClose == true {
            // A body without a length ends with its connection.
            keepAlive = false
            end(context: context)
        }
        endHandshake(UpstreamError.tlsFailed("the connection closed during the handshake"))
        fail(source == nil ? UpstreamError.closedBeforeAnswer : UpstreamError.closedDuringAnswer)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            endHandshake(UpstreamError.tlsFailed("\(error)"))
            fail(UpstreamError.tlsFailed("\(error)"))
        } else if source == nil, exchange != nil {
            // Typically a reset: the upstream had closed the connection (see closedBeforeAnswer).
            fail(UpstreamError.closedBeforeAnswer)
        } else {
            fail(error)
        }
        context.close(promise: nil)
    }

    /// Makes sure the timer fires by `deadline`.
    private func arm(_ deadline: NIODeadline) {
        if let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        guard let context else { return }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timerDeadline = deadline
        timer = context.eventLoop.scheduleTask(deadline: deadline) { handler.value.timerFired() }
    }

    /// An exchange without its head by its deadline fails; a connection that received nothing
    /// for the idle timeout (in an answer or idle in the pool) closes; otherwise the timer is
    /// set for the next deadline.
    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard let context else { return }
        let now = NIODeadline.now()
        if let headDeadline, headDeadline <= now {
            fail(UpstreamError.timedOut)
            context.close(promise: nil)
            return
        }
        if lastRead + idleTimeout <= now {
            fail(UpstreamError.timedOut)
            context.close(promise: nil)
            return
        }
        arm(min(headDeadline ?? .distantFuture, lastRead + idleTimeout))
    }

    /// Ends the exchange in flight with `error`: before its head, the request fails; after, its body.
    private func fail(_ error: any Error) {
        headDeadline = nil
        received = ByteBuffer()
        pending = ByteBuffer()
        parser = nil
        if let source {
            source.finish(error)
        } else {
            exchange?.promise.fail(error)
        }
        source = nil
        exchange = nil
    }

    fileprivate func consumerWantsMore(_ exchange: Int) {
        guard exchange == number else { return }
        consumerReady = true
        if readPending {
            readPending = false
            context?.read()
        }
    }

    /// The consumer stopped before the body's end: the rest would be in the way of the next
    /// exchange, so the connection closes.
    fileprivate func consumerLeft(_ exchange: Int) {
        guard exchange == number, source != nil else { return }
        source = nil
        parser = nil
        received = ByteBuffer()
        pending = ByteBuffer()
        self.exchange = nil
        context?.close(promise: nil)
    }
}
