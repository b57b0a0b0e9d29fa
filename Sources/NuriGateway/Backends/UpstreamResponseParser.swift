import NIOCore
import NIOHTTP1

/// Reads an HTTP/1.1 answer from the bytes its connection receives, for ``UpstreamClient``.
///
/// The body comes out de-chunked into one buffer per call, whatever the number of chunks the
/// bytes hold: a stream's read of 19 chunks is one append each, with no event per chunk.
/// Framing follows RFC 9112 §6.3:
/// - no body after a `HEAD` request, or for 204 and 304;
/// - `Transfer-Encoding` ending in `chunked`: chunks (extensions and trailers are skipped);
///   other transfer codings: the body runs to the connection's close;
/// - otherwise `Content-Length`, whose values must agree;
/// - otherwise the body runs to the connection's close.
/// 1xx answers other than 101 are skipped; what follows them is the answer. Lines end in CRLF;
/// a bare LF is refused, as NIO's parser (llhttp) refused it.
struct UpstreamResponseParser {
    /// What a call to ``parse(_:body:)`` stopped at.
    enum Progress: Equatable {
        /// Everything given was used; more bytes are needed.
        case needMore
        /// The answer's head (status, headers); its body follows.
        case head(UpstreamHead, keepAlive: Bool)
        /// The answer's end; the bytes after it, if any, are left in the input.
        case end
    }

    /// A head longer than this is refused (NIO's parser allows 80 KiB).
    static let maxHead = 80 << 10
    /// A chunk-size line (with its extensions) longer than this is refused.
    static let maxChunkLine = 4 << 10

    private enum State {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var state = State.head
    /// How far into the input the current search (for the head's end, or a line's) has looked
    /// without finding it: the next search starts there, so that an answer trickling in byte by
    /// byte costs each byte one look, not one per read.
    private var scanned = 0
    private let noBody: Bool

    /// For the answer to a request made with `method`.
    init(method: HTTPMethod) {
        noBody = method == .HEAD
    }

    /// Whether the body runs to the connection's close (then the close is its end).
    var endsAtClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Reads from `input` until the head is complete, the answer ends, or `input` is used up.
    /// Body bytes are appended to `body`. Throws ``UpstreamError/protocolError(_:)`` for bytes
    /// that are not an HTTP/1.1 answer.
    mutating func parse(_ input: inout ByteBuffer, body: inout ByteBuffer) throws(UpstreamError) -> Progress {
        while input.readableBytes > 0 {
            switch state {
            case .head:
                guard let end = try Self.headEnd(input, from: &scanned) else {
                    if input.readableBytes > Self.maxHead { throw .protocolError("the answer's head is longer than \(Self.maxHead) bytes") }
                    return .needMore
                }
                guard end <= Self.maxHead else { throw .protocolError("the answer's head is longer than \(Self.maxHead) bytes") }
                let headBytes = input.readSlice(length: end)!
                let (head, framingFields) = try Self.head(headBytes)
                let code = head.status.code
                if code >= 100 && code < 200 {
                    guard code != 101 else { throw .protocolError("the upstream switched protocols (101)") }
                    continue  // informational: the answer follows
                }
                let framing = try framingFields.framing(noBody: noBody || code == 204 || code == 304)
                state = framing
                var keepAlive = framingFields.keepAlive(version: head.version)
                if case .untilClose = framing { keepAlive = false }
                if case .fixed(remaining: 0) = framing { state = .done }
                return .head(head, keepAlive: keepAlive)
            case .fixed(let remaining):
                let take = min(remaining, input.readableBytes)
                var slice = input.readSlice(length: take)!
                body.writeBuffer(&slice)
                if take == remaining {
                    state = .done
                } else {
                    state = .fixed(remaining: remaining - take)
                }
            case .chunkSize:
                if scanned == 0 {
                    Self.wholeChunks(&input, into: &body)
                    if input.readableBytes == 0 { return .needMore }
                }
                guard let line = try Self.line(&input, from: &scanned, limit: Self.maxChunkLine, what: "chunk size") else { return .needMore }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, input.readableBytes)
                var slice = input.readSlice(length: take)!
                body.writeBuffer(&slice)
                state = take == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                guard input.getInteger(at: input.readerIndex, as: UInt8.self) == UInt8(ascii: "\r") else {
                    throw .protocolError("a chunk is longer than its size")
                }
                guard input.readableBytes >= 2 else { return .needMore }
                guard input.getInteger(at: input.readerIndex + 1, as: UInt8.self) == UInt8(ascii: "\n") else {
                    throw .protocolError("a chunk is longer than its size")
                }
                input.moveReaderIndex(forwardBy: 2)
                state = .chunkSize
            case .trailers:
                guard let line = try Self.line(&input, from: &scanned, limit: Self.maxHead, what: "trailer") else { return .needMore }
                if line.readableBytes == 0 { state = .done }
            case .untilClose:
                body.writeBuffer(&input)
            case .done:
                return .end
            }
        }
        if case .done = state { return .end }
        return .needMore
    }

    // MARK: - Head

    /// The length of the head, its blank line included, once `input` holds all of it.
    /// `scanned`: where an earlier call stopped looking (0 once the end is found).
    private static func headEnd(_ input: ByteBuffer, from scanned: inout Int) throws(UpstreamError) -> Int? {
        // A newline in the last two bytes looked at may begin the blank line: look at it again.
        let start = max(0, scanned - 2)
        let end = input.withUnsafeReadableBytes { bytes -> Int? in
            var index = start
            let count = bytes.count
            while index < count {
                guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                guard newline > 0, bytes[newline - 1] == UInt8(ascii: "\r") else { return -1 }
                // The blank line: "\r\n\r\n".
                if newline + 2 < count, bytes[newline + 1] == UInt8(ascii: "\r"), bytes[newline + 2] == UInt8(ascii: "\n") {
                    return newline + 3
                }
                index = newline + 1
            }
            return nil
        }
        if end == -1 { throw .protocolError("a line of the answer's head ends in a bare LF, not CRLF") }
        scanned = end == nil ? input.readableBytes : 0
        return end
    }

    private static func head(_ bytes: ByteBuffer) throws(UpstreamError) -> (UpstreamHead, FramingFields) {
        var lines = bytes, scanned = 0  // the head is whole: every line's end is there
        guard let statusLine = try Self.line(&lines, from: &scanned, limit: maxHead, what: "status line") else {
            throw .protocolError("no status line")
        }
        let (version, status) = try Self.statusLine(statusLine)
        let fieldsStart = lines.readerIndex
        var framing = FramingFields()
        while let line = try Self.line(&lines, from: &scanned, limit: maxHead, what: "header") {
            if line.readableBytes == 0 { break }
            try header(line, framing: &framing)
        }
        // The header lines, without the blank line that ends them.
        let fields = bytes.getSlice(at: fieldsStart, length: lines.readerIndex - fieldsStart - 2) ?? ByteBuffer()
        return (UpstreamHead(version: version, status: status, fields: fields), framing)
    }

    /// `HTTP/1.1 200 OK`: the version and the status (an unknown code keeps its reason phrase).
    private static func statusLine(_ line: ByteBuffer) throws(UpstreamError) -> (HTTPVersion, HTTPResponseStatus) {
        let parsed = line.withUnsafeReadableBytes { bytes -> (HTTPVersion, Int, Int)? in
            // "HTTP/1.x" SP 3DIGIT, then SP and the reason, or nothing.
            guard bytes.count >= 12, bytes.starts(with: "HTTP/1.".utf8), bytes[8] == UInt8(ascii: " ") else { return nil }
            let minor = bytes[7]
            guard minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else { return nil }
            var code = 0
            for index in 9..<12 {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                code = code * 10 + Int(digit)
            }
            guard code >= 100, bytes.count == 12 || bytes[12] == UInt8(ascii: " ") else { return nil }
            return (HTTPVersion(major: 1, minor: Int(minor - UInt8(ascii: "0"))), code, bytes.count > 13 ? 13 : bytes.count)
        }
        guard let (version, code, reasonStart) = parsed else {
            throw .protocolError("the status line is not `HTTP/1.x <code> <reason>`: \(printable(line))")
        }
        // A known code has its own reason phrase, whatever the line says (as NIO's decoder reads it).
        var status = HTTPResponseStatus(statusCode: code)
        if case .custom = status {
            let reason = line.getString(at: line.readerIndex + reasonStart, length: line.readableBytes - reasonStart) ?? ""
            status = HTTPResponseStatus(statusCode: code, reasonPhrase: reason)
        }
        return (version, status)
    }

    /// Checks a `name: value` line; the values that frame the body are kept aside. The header
    /// itself is read again only if someone asks for the headers (``UpstreamHead/headers``).
    private static func header(_ line: ByteBuffer, framing: inout FramingFields) throws(UpstreamError) {
        let colon = line.withUnsafeReadableBytes { bytes -> Int? in
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
            // A token: no blanks (RFC 9112 §5.1 forbids one before the colon) and no controls.
            for byte in bytes[..<colon] where byte <= 0x20 || byte >= 0x7f { return nil }
            // The value: no NUL, CR or LF.
            for byte in bytes[(colon + 1)...] where byte == 0 || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { return -1 }
            return colon
        }
        guard let colon, colon > 0 else {
            if colon == -1 { throw .protocolError("a header's value holds a control character") }
            throw .protocolError("a header line is not `name: value`: \(printable(line))")
        }
        framing.note(line: line, colon: colon)
    }

    /// The name and the value (blanks around it trimmed) of a checked header line.
    fileprivate static func field(_ line: ByteBuffer, colon: Int) -> (name: String, value: String) {
        var start = colon + 1, end = line.readableBytes
        line.withUnsafeReadableBytes { bytes in
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        }
        return (line.getString(at: line.readerIndex, length: colon)!, line.getString(at: line.readerIndex + start, length: end - start) ?? "")
    }

    /// The values of the three headers that say where the body ends and whether the connection
    /// stays: kept as the head is read, so that no lookup goes over all of its headers again.
    private struct FramingFields {
        var transferCodings: [String] = []
        var contentLengths: [String] = []
        var connectionOptions: [String] = []

        /// Keeps the value of a checked header line whose name (before `colon`) is one of the
        /// three (compared without case, on its bytes).
        mutating func note(line: ByteBuffer, colon: Int) {
            let name = line.getSlice(at: line.readerIndex, length: colon)!
            switch colon {
            case 17 where Self.named(name, "transfer-encoding"): transferCodings += Self.list(field(line, colon: colon).value)
            case 14 where Self.named(name, "content-length"): contentLengths += Self.list(field(line, colon: colon).value)
            case 10 where Self.named(name, "connection"): connectionOptions += Self.list(field(line, colon: colon).value).map { $0.lowercased() }
            default: break
            }
        }

        /// Where the body ends (RFC 9112 §6.3).
        func framing(noBody: Bool) throws(UpstreamError) -> State {
            if noBody { return .done }
            if let last = transferCodings.last {
                return last.lowercased() == "chunked" ? .chunkSize : .untilClose
            }
            guard let first = contentLengths.first else { return .untilClose }
            guard let length = UpstreamResponseParser.contentLength(first), contentLengths.allSatisfy({ $0 == first }) else {
                throw .protocolError("the answer's content-length is not one number: \(contentLengths.joined(separator: ", "))")
            }
            return .fixed(remaining: length)
        }

        /// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes it unless told `keep-alive`.
        func keepAlive(version: HTTPVersion) -> Bool {
            if connectionOptions.contains("close") { return false }
            return version.minor >= 1 || connectionOptions.contains("keep-alive")
        }

        /// Whether `name`'s bytes are `lowercased` (ASCII letters and `-`) in any case.
        private static func named(_ name: ByteBuffer, _ lowercased: StaticString) -> Bool {
            name.withUnsafeReadableBytes { bytes in
                let expected = UnsafeRawBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount)
                for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] { return false }
                return true
            }
        }

        /// A list value's members (`a, b`), trimmed, the empty ones dropped.
        private static func list(_ value: String) -> [String] {
            if !value.utf8.contains(UInt8(ascii: ",")) { return value.isEmpty ? [] : [value] }
            return value.split(separator: ",").compactMap { member in
                let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
                guard let first = member.firstIndex(where: { !blank($0) }), let last = member.lastIndex(where: { !blank($0) }) else { return nil }
                return String(member[first...last])
            }
        }
    }

    private static func contentLength(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(text)
    }

    // MARK: - Chunks and lines

    /// The whole chunks at the start of `input` (size line, data, CRLF), but the last one: their
    /// data appended to `body` and the input moved past them, in one pass over the bytes. It
    /// stops before anything else (the last chunk, a chunk not all there yet, a line to
    /// refuse), which the general path then reads (and refuses) as before.
    private static func wholeChunks(_ input: inout ByteBuffer, into body: inout ByteBuffer) {
        let consumed = input.withUnsafeReadableBytes { bytes -> Int in
            let count = bytes.count
            var start = 0
            while start < count {
                var index = start, size = 0
                while index < count, index - start < 15 {
                    let byte = bytes[index]
                    let value: Int
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte &- UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte &- UInt8(ascii: "a")) + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte &- UInt8(ascii: "A")) + 10
                    default: value = -1
                    }
                    if value < 0 { break }
                    size = size << 4 | value
                    index += 1
                }
                // Digits, then the line's end or an extension; not the last chunk (size 0).
                guard index > start, size > 0, index < count else { return start }
                let after = bytes[index]
                guard after == UInt8(ascii: "\r") || after == UInt8(ascii: ";") || after == UInt8(ascii: " ") || after == UInt8(ascii: "\t"),
                      let newline = bytes[index..<min(count, start + maxChunkLine + 1)].firstIndex(of: UInt8(ascii: "\n")),
                      bytes[newline - 1] == UInt8(ascii: "\r")
                else { return start }
                let data = newline + 1
                guard count - data >= size + 2, bytes[data + size] == UInt8(ascii: "\r"), bytes[data + size + 1] == UInt8(ascii: "\n") else {
                    return start
                }
                body.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[data..<(data + size)]))
                start = data + size + 2
            }
            return start
        }
        input.moveReaderIndex(forwardBy: consumed)
    }

    /// A chunk-size line: hex digits, then optional blanks and `;extensions`, which are skipped.
    private static func chunkSize(_ line: ByteBuffer) throws(UpstreamError) -> Int {
        let size = line.withUnsafeReadableBytes { bytes -> Int? in
            var size = 0, digits = 0
            for byte in bytes {
                let value: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
                case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\t"):
                    return digits > 0 ? size : nil
                default: return nil
                }
                digits += 1
                guard digits <= 15 else { return nil }  // past 2^60: not a size anyone sends
                size = size << 4 | value
            }
            return digits > 0 ? size : nil
        }
        guard let size else { throw .protocolError("a chunk's size is not a hexadecimal number: \(printable(line))") }
        return size
    }

    /// The next line without its CRLF, or nil while `input` does not hold its end.
    /// `scanned`: how many bytes an earlier call found no LF in (0 once the line is read).
    private static func line(_ input: inout ByteBuffer, from scanned: inout Int, limit: Int, what: String) throws(UpstreamError) -> ByteBuffer? {
        let start = scanned
        let newline = input.withUnsafeReadableBytes { $0[start...].firstIndex(of: UInt8(ascii: "\n")) }
        guard let newline else {
            if input.readableBytes > limit { throw .protocolError("a \(what) line is longer than \(limit) bytes") }
            scanned = input.readableBytes
            return nil
        }
        scanned = 0
        guard newline <= limit else { throw .protocolError("a \(what) line is longer than \(limit) bytes") }
        guard newline > 0, input.getInteger(at: input.readerIndex + newline - 1, as: UInt8.self) == UInt8(ascii: "\r") else {
            throw .protocolError("a \(what) line ends in a bare LF, not CRLF")
        }
        let line = input.getSlice(at: input.readerIndex, length: newline - 1)!
        input.moveReaderIndex(forwardBy: newline + 1)
        return line
    }

    /// Up to 80 characters of a line, for an error message, with what is not printable as `?`.
    private static func printable(_ line: ByteBuffer) -> String {
        let bytes = line.getBytes(at: line.readerIndex, length: min(line.readableBytes, 80)) ?? []
        return String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}

/// An answer's head as the parser read it: version, status, and the header lines, checked and
/// kept as bytes; the headers are made when asked for (the relay never asks).
struct UpstreamHead: Sendable, Equatable {
    let version: HTTPVersion
    let status: HTTPResponseStatus
    /// The header lines, each but the last ending in CRLF.
    let fields: ByteBuffer

    var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        var rest = fields
        while rest.readableBytes > 0 {
            let length = rest.withUnsafeReadableBytes { bytes in
                var index = 0
                while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "\r") && bytes[index + 1] == UInt8(ascii: "\n")) { index += 1 }
                return index + 1 < bytes.count ? index : bytes.count
            }
            let line = rest.readSlice(length: length)!
            rest.moveReaderIndex(forwardBy: min(2, rest.readableBytes))
            guard let colon = line.readableBytesView.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let (name, value) = UpstreamResponseParser.field(line, colon: colon - line.readableBytesView.startIndex)
            headers.add(name: name, value: value)
        }
        return headers
    }
}
