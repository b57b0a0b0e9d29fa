// nuri-fake-upstream: a deliberately trivial OpenAI-compatible server for measuring gateways.
//
// It answers `POST …/chat/completions` with a fixed completion (or, when the body asks for
// `"stream": true`, a fixed stream of SSE chunks with a usage chunk and `[DONE]`) and
// `GET …/models` with one model, from bytes prepared at start-up: no JSON is parsed or encoded
// per request. Built on SwiftNIO alone so that it is much faster than any gateway in front of
// it; `scripts/bench-gateway.py` measures it directly and through Nuri and LiteLLM.
//
// Usage: nuri-fake-upstream [--host 127.0.0.1] [--port 9100] [--threads 1] [--chunks 16]
// It prints `listening on http://HOST:PORT` once the socket is bound.
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The answers, encoded once.
struct CannedAnswers: Sendable {
    let completion: ByteBuffer
    /// Every SSE event of a streamed answer, one buffer each (written as separate chunks).
    let streamEvents: [ByteBuffer]
    let models: ByteBuffer

    init(chunks: Int) {
        let created = 1_700_000_000
        let words = (0..<chunks).map { "word\($0) " }
        completion = ByteBuffer(string: """
            {"id":"chatcmpl-fake","object":"chat.completion","created":\(created),"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":"\(words.joined())"},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":12,"completion_tokens":\(chunks),"total_tokens":\(12 + chunks)}}
            """)
        func chunk(_ delta: String, finish: String = "null") -> ByteBuffer {
            ByteBuffer(string: #"data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":\#(created),"model":"fake","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish),"logprobs":null}]}"# + "\n\n")
        }
        var events = [chunk(#"{"role":"assistant","content":""}"#)]
        events += words.map { chunk(#"{"content":"\#($0)"}"#) }
        events.append(chunk("{}", finish: #""stop""#))
        events.append(ByteBuffer(string: #"data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","created":\#(created),"model":"fake","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":\#(chunks),"total_tokens":\#(12 + chunks)}}"# + "\n\n"))
        events.append(ByteBuffer(string: "data: [DONE]\n\n"))
        streamEvents = events
        models = ByteBuffer(string: #"{"object":"list","data":[{"id":"fake","object":"model","created":\#(created),"owned_by":"fake"}]}"#)
    }
}

/// One connection: collects a request, answers it from ``CannedAnswers``, keeps the connection.
final class FakeUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let answers: CannedAnswers
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(answers: CannedAnswers) {
        self.answers = answers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            respond(to: head, context: context)
            self.head = nil
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "server", value: "nuri-fake-upstream")
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        if head.method == .POST, path.hasSuffix("/chat/completions") {
            let text = String(buffer: body)
            let streaming = text.contains(#""stream":true"#) || text.contains(#""stream": true"#)
            if streaming {
                headers.add(name: "content-type", value: "text/event-stream")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                for event in answers.streamEvents {
                    context.write(wrapOutboundOut(.body(.byteBuffer(event))), promise: nil)
                }
                finish(context: context, keepAlive: keepAlive)
                return
            }
            send(answers.completion, status: .ok, headers: headers, version: head.version, context: context, keepAlive: keepAlive)
        } else if head.method == .GET, path.hasSuffix("/models") {
            send(answers.models, status: .ok, headers: headers, version: head.version, context: context, keepAlive: keepAlive)
        } else {
            send(ByteBuffer(string: #"{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}"#),
                 status: .notFound, headers: headers, version: head.version, context: context, keepAlive: keepAlive)
        }
    }

    private func send(_ buffer: ByteBuffer, status: HTTPResponseStatus, headers: HTTPHeaders, version: HTTPVersion,
                      context: ChannelHandlerContext, keepAlive: Bool) {
        var headers = headers
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        finish(context: context, keepAlive: keepAlive)
    }

    private func finish(context: ChannelHandlerContext, keepAlive: Bool) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

// MARK: Command line

var host = "127.0.0.1", port = 9100, threads = 1, chunks = 16
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else {
        FileHandle.standardError.write(Data("\(flag) needs a value\n".utf8))
        exit(2)
    }
    switch flag {
    case "--host": host = value
    case "--port": port = Int(value) ?? port
    case "--threads": threads = max(1, Int(value) ?? threads)
    case "--chunks": chunks = max(1, Int(value) ?? chunks)
    default:
        FileHandle.standardError.write(Data("unknown option \(flag); usage: nuri-fake-upstream [--host H] [--port P] [--threads N] [--chunks N]\n".utf8))
        exit(2)
    }
}

let answers = CannedAnswers(chunks: chunks)
let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(FakeUpstreamHandler(answers: answers))
        }
    }
let channel = try bootstrap.bind(host: host, port: port).wait()
FileHandle.standardOutput.write(Data("listening on http://\(host):\(channel.localAddress?.port ?? port)\n".utf8))
try channel.closeFuture.wait()
