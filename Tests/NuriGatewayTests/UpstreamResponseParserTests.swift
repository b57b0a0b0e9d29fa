import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import NuriGateway

/// What an answer read to its end comes to: compared between ``UpstreamResponseParser`` and
/// NIO's HTTP/1 decoder (llhttp), which the client used before.
private struct Reading: Equatable, CustomStringConvertible {
    var heads: [String] = []  // "version code reason keepAlive" then "name: value" lines
    var body: [UInt8] = []
    var ended = false
    var failed = false

    var description: String {
        "heads \(heads), body \(body.count) bytes \(String(decoding: body.prefix(40), as: UTF8.self).debugDescription), ended \(ended), failed \(failed)"
    }

    static func head(_ head: HTTPResponseHead, keepAlive: Bool) -> String {
        describe(version: head.version, status: head.status, headers: head.headers, keepAlive: keepAlive)
    }

    static func head(_ head: UpstreamHead, keepAlive: Bool) -> String {
        describe(version: head.version, status: head.status, headers: head.headers, keepAlive: keepAlive)
    }

    static func describe(version: HTTPVersion, status: HTTPResponseStatus, headers: HTTPHeaders, keepAlive: Bool) -> String {
        "\(version) \(status.code) \(status.reasonPhrase) \(keepAlive) " + headers.map { "\($0.name): \($0.value)" }.joined(separator: "|")
    }
}

/// Feeds `pieces` to the parser, as a connection's reads; `close` then ends the connection.
private func parse(_ pieces: [[UInt8]], method: HTTPMethod = .POST, close: Bool) -> Reading {
    var parser = UpstreamResponseParser(method: method)
    var reading = Reading()
    var pending = ByteBuffer()
    var body = ByteBuffer()
    do {
        reads: for piece in pieces {
            pending.writeBytes(piece)
            while true {
                switch try parser.parse(&pending, body: &body) {
                case .needMore: continue reads
                case .head(let head, let keepAlive): reading.heads.append(Reading.head(head, keepAlive: keepAlive))
                case .end:
                    reading.ended = true
                    break reads
                }
            }
        }
        if close, !reading.ended, parser.endsAtClose { reading.ended = true }
    } catch {
        reading.failed = true
    }
    reading.body = Array(body.readableBytesView)
    return reading
}

/// The same through NIO's client handlers, after a request made with `method`.
private func nioParse(_ pieces: [[UInt8]], method: HTTPMethod = .POST, close: Bool) throws -> Reading {
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHTTPClientHandlers()
    try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "/")))
    try channel.writeOutbound(HTTPClientRequestPart.end(nil))
    var reading = Reading()
    func drain() throws {
        while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
            switch part {
            case .head(let head): if head.status.code >= 200 { reading.heads.append(Reading.head(head, keepAlive: head.isKeepAlive)) }
            case .body(let buffer): if !reading.ended { reading.body += Array(buffer.readableBytesView) }
            case .end: reading.ended = true
            }
        }
    }
    do {
        for piece in pieces where !reading.ended {
            try channel.writeInbound(ByteBuffer(bytes: piece))
            try drain()
        }
        if close, !reading.ended {
            channel.pipeline.fireChannelInactive()
            try drain()
        }
    } catch {
        reading.failed = true
    }
    _ = try? channel.finish()
    return reading
}

/// Answers both readers must agree on. Where a figure matters it is in the name.
private let answers: [(String, String)] = [
    ("content-length", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"a\":\"b c\"}"),
    ("content-length 0", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
    ("chunked, extensions, upper-case hex, trailers",
     "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n0123456789\r\n1d\r\ndata: {\"x\":1}\n\ndata: [DONE]\n\n\r\n0\r\nx-trailer: yes\r\n\r\n"),
    ("chunked, no trailers", "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("codings listed, the last chunked, in capitals", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("a length in capitals, connection options listed", "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 3\r\nConnection: Upgrade, Close\r\n\r\nabc"),
    ("100 Continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok"),
    ("204 without a body", "HTTP/1.1 204 No Content\r\n\r\n"),
    ("304 with a length and no body", "HTTP/1.1 304 Not Modified\r\ncontent-length: 99\r\n\r\n"),
    ("HTTP/1.0 closes", "HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nabc"),
    ("HTTP/1.0 kept alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 3\r\n\r\nabc"),
    ("connection: close", "HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\nretry-after: 3\r\ncontent-length: 4\r\n\r\nslow"),
    ("blanks before values", "HTTP/1.1 200 OK\r\nx-a:   spaced\r\nx-b:\r\nx-c:\tc\r\ncontent-length: 1\r\n\r\n!"),
    ("no reason phrase", "HTTP/1.1 200 \r\ncontent-length: 1\r\n\r\n!"),
    ("body until the connection closes", "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of this, until the close"),
    ("Hangul in a value and the body", "HTTP/1.1 200 OK\r\nx-name: 서울\r\ncontent-length: 6\r\n\r\n서울"),
]

/// Answers both readers refuse.
private let broken: [(String, String)] = [
    ("not HTTP", "SMTP/1.1 200 OK\r\n\r\n"),
    ("a status that is not a number", "HTTP/1.1 2OO OK\r\n\r\n"),
    ("a chunk size that is not hexadecimal", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"),
    ("a chunk longer than its size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n"),
    ("a chunk longer than its size, then chunks", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n"),
    ("two different lengths", "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello"),
    ("a length that is not a number", "HTTP/1.1 200 OK\r\ncontent-length: five\r\n\r\nhello"),
    ("a header line without a colon", "HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0\r\n\r\n"),
    ("lines ending in a bare LF", "HTTP/1.1 200 OK\ncontent-type: text/plain\ncontent-length: 2\n\nok"),
    ("a bare LF after a chunk", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\n0\r\n\r\n"),
    ("a blank before the colon", "HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n"),
]

@Suite("Upstream response parser: the same readings as NIO's HTTP/1 decoder, however the bytes are cut")
struct UpstreamResponseParserTests {
    @Test("each answer read whole, and cut at every byte: head, keep-alive, body and end as NIO reads them", arguments: answers)
    func agreesWithNIO(_ name: String, _ text: String) throws {
        let bytes = Array(text.utf8)
        let close = !text.contains("ength:") && !text.contains("chunked") && !text.contains(" 204 ")
        let expected = try nioParse([bytes], close: close)
        #expect(!expected.failed && expected.ended, "NIO's reading of \(name): \(expected)")
        #expect(parse([bytes], close: close) == expected, "\(name), whole")
        for cut in 1..<bytes.count {
            let pieces = [Array(bytes[..<cut]), Array(bytes[cut...])]
            let reading = parse(pieces, close: close)
            #expect(reading == expected, "\(name), cut at \(cut)")
            if reading != expected { break }
        }
        // One byte at a time, the hardest cut for a reader that keeps partial lines.
        #expect(parse(bytes.map { [$0] }, close: close) == expected, "\(name), byte by byte")
    }

    @Test("a stream of 200 chunks in random reads (seeded: the same cuts on every run) comes out whole, as NIO reads it")
    func randomReads() throws {
        var generator = ChatChunkReaderTests.Generator(state: 0x5eed)
        var text = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        for index in 0..<200 {
            let event = "data: {\"choices\":[{\"delta\":{\"content\":\"piece \(index) 조각\"}}]}\n\n"
            text += String(event.utf8.count, radix: 16) + (index % 7 == 0 ? ";x=y" : "") + "\r\n" + event + "\r\n"
        }
        text += "0\r\n\r\n"
        let bytes = Array(text.utf8)
        let expected = try nioParse([bytes], close: false)
        #expect(expected.ended && expected.body.count > 10_000)
        for _ in 0..<50 {
            var pieces: [[UInt8]] = [], start = 0
            while start < bytes.count {
                let length = Int.random(in: 1...700, using: &generator)
                pieces.append(Array(bytes[start..<min(start + length, bytes.count)]))
                start += length
            }
            let reading = parse(pieces, close: false)
            #expect(reading == expected)
            if reading != expected { break }
        }
    }

    @Test("each broken answer is refused, whole and cut in two, where NIO refuses it", arguments: broken)
    func refusesWhatNIORefuses(_ name: String, _ text: String) throws {
        let bytes = Array(text.utf8)
        #expect(try nioParse([bytes], close: false).failed, "NIO accepts \(name)")
        #expect(parse([bytes], close: false).failed, "\(name), whole")
        for cut in 1..<bytes.count {
            #expect(parse([Array(bytes[..<cut]), Array(bytes[cut...])], close: false).failed, "\(name), cut at \(cut)")
        }
    }

    @Test("blanks after a header's value are not part of it (RFC 9112 §5; NIO's decoder keeps them)")
    func trailingBlanks() throws {
        var parser = UpstreamResponseParser(method: .POST)
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\nx-a: value \t \r\ncontent-length: 0\r\n\r\n")
        var body = ByteBuffer()
        guard case .head(let head, _) = try parser.parse(&input, body: &body) else {
            Issue.record("no head")
            return
        }
        #expect(head.headers["x-a"] == ["value"])
    }

    @Test("a prepared request's head: request line, the URL's host, the headers, the body's length; a configured host or length is not sent")
    func preparedHead() throws {
        let url = try #require(UpstreamURL("http://gpu-1.example.kr:8000/v1"))
        let request = UpstreamRequest(.POST, url, path: "chat/completions",
                                      headers: ["Host": "elsewhere", "content-type": "application/json", "Content-Length": "999", "authorization": "Bearer k"])
        #expect(String(buffer: request.head(bodyLength: 42)) == "POST /v1/chat/completions HTTP/1.1\r\nhost: gpu-1.example.kr:8000\r\n"
            + "content-type: application/json\r\nauthorization: Bearer k\r\ncontent-length: 42\r\n\r\n")
        #expect(String(buffer: request.head(bodyLength: nil)).hasSuffix("authorization: Bearer k\r\n\r\n"))
    }

    @Test("101 Switching Protocols is refused: the client never asks to upgrade")
    func switchingProtocols() {
        let bytes = Array("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n".utf8)
        #expect(parse([bytes], close: false).failed)
    }

    @Test("the answer to a HEAD has no body, even with a length: the bytes after its head are the next answer's")
    func headRequest() throws {
        var parser = UpstreamResponseParser(method: .HEAD)
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nHTTP/1.1")
        var body = ByteBuffer()
        guard case .head(let head, keepAlive: true) = try parser.parse(&input, body: &body) else {
            Issue.record("no head")
            return
        }
        #expect(head.status == .ok)
        #expect(try parser.parse(&input, body: &body) == .end)
        #expect(body.readableBytes == 0)
        #expect(input.readableBytes == 8, "the bytes after the answer stay in the input")
    }

    @Test("bytes after an answer's end stay in the input (the client closes a connection that has them)")
    func bytesAfterTheEnd() throws {
        var parser = UpstreamResponseParser(method: .POST)
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA")
        var body = ByteBuffer()
        guard case .head = try parser.parse(&input, body: &body) else {
            Issue.record("no head")
            return
        }
        #expect(try parser.parse(&input, body: &body) == .end)
        #expect(String(buffer: body) == "ok")
        #expect(String(buffer: input) == "EXTRA")
    }

    @Test("a head without its end, longer than 80 KiB, is refused before it is all read")
    func headTooLong() throws {
        var parser = UpstreamResponseParser(method: .POST)
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\n")
        var body = ByteBuffer()
        #expect(try parser.parse(&input, body: &body) == .needMore)
        let line = "x-filler: " + String(repeating: "a", count: 1000) + "\r\n"
        #expect(throws: UpstreamError.self) {
            for _ in 0..<90 {
                input.writeString(line)
                _ = try parser.parse(&input, body: &body)
            }
        }
    }

    @Test("a chunk size past 2^60 is refused, not wrapped around")
    func chunkSizeOverflow() throws {
        var parser = UpstreamResponseParser(method: .POST)
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10000000000000000\r\n")
        var body = ByteBuffer()
        _ = try parser.parse(&input, body: &body)
        #expect(throws: UpstreamError.self) { try parser.parse(&input, body: &body) }
    }
}

@Suite("Upstream client on answers framed by hand: read to the close, bytes after the end, broken answers")
struct UpstreamRawAnswerTests {
    @Test("an answer without a length is read until the upstream closes; the next request opens a new connection")
    func untilClose() async throws {
        let upstream = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it, until the close", close: true)
        let client = UpstreamClient(group: MultiThreadedEventLoopGroup.singleton)
        defer { client.closeIdle() }
        try await withDeadline(.seconds(20), "two requests") {
            for _ in 0..<2 {
                let response = try await client.execute(.GET, upstream.url, path: "models", timeout: .seconds(5))
                #expect(String(buffer: try await response.body.collect(upTo: 1000)) == "all of it, until the close")
            }
        }
        #expect(upstream.accepted == 2)
    }

    @Test("bytes after an answer's end: the answer is whole, and its connection is closed, not reused")
    func bytesAfterTheEnd() async throws {
        let upstream = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nbad",
                                                   close: false)
        let client = UpstreamClient(group: MultiThreadedEventLoopGroup.singleton)
        defer { client.closeIdle() }
        try await withDeadline(.seconds(20), "two requests") {
            for _ in 0..<2 {
                let response = try await client.execute(.GET, upstream.url, path: "models", timeout: .seconds(5))
                #expect(String(buffer: try await response.body.collect(upTo: 1000)) == "ok")
            }
        }
        #expect(upstream.accepted == 2)
    }

    @Test("a broken head fails the request, a broken body fails the body, with protocolError saying what is wrong")
    func broken() async throws {
        let client = UpstreamClient(group: MultiThreadedEventLoopGroup.singleton)
        defer { client.closeIdle() }
        let head = try await RawUpstream.start(answer: "HTTP/1.1 2OO OK\r\n\r\n", close: false)
        let headError = await #expect(throws: UpstreamError.self) {
            try await withDeadline(.seconds(20), "broken head") {
                _ = try await client.execute(.GET, head.url, path: "models", timeout: .seconds(5))
            }
        }
        #expect("\(headError.map { "\($0)" } ?? "")".contains("HTTP/1.1 2OO OK"))
        let body = try await RawUpstream.start(answer: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n", close: false)
        let bodyError = await #expect(throws: UpstreamError.self) {
            try await withDeadline(.seconds(20), "broken body") {
                let response = try await client.execute(.GET, body.url, path: "models", timeout: .seconds(5))
                _ = try await response.body.collect(upTo: 1000)
            }
        }
        #expect("\(bodyError.map { "\($0)" } ?? "")".contains("hexadecimal"))
    }
}

/// A server that answers every request (a head, no body) with the same bytes, written as given,
/// and closes the connection after them if told to.
final class RawUpstream: Sendable {
    private let count = Mutex(0)
    private let channel: Mutex<(any Channel)?> = .init(nil)
    var accepted: Int { count.withLock { $0 } }
    var url: UpstreamURL { UpstreamURL("http://127.0.0.1:\(channel.withLock { $0?.localAddress?.port ?? 0 })/v1")! }

    static func start(answer: String, close: Bool) async throws -> RawUpstream {
        let upstream = RawUpstream()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                upstream.count.withLock { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawAnswerHandler(answer: answer, close: close))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        upstream.channel.withLock { $0 = channel }
        return upstream
    }

    deinit {
        channel.withLock { $0 }?.close(promise: nil)
    }
}

private final class RawAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let answer: String
    let close: Bool
    var received = ""

    init(answer: String, close: Bool) {
        self.answer = answer
        self.close = close
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
        while let end = received.range(of: "\r\n\r\n") {
            received.removeSubrange(..<end.upperBound)
            let write = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)))
            if close { write.whenComplete { _ in context.close(promise: nil) } }
        }
    }
}
