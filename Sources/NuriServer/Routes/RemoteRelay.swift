import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NuriGateway
import NuriIdentity

/// Passes an OpenAI request to a ``RemoteBackend`` and its answer back: the request as the client
/// sent it (unknown fields included) with the upstream model's name, after the policy hook;
/// the answer with Nuri's model name, after the policy hook on its text; streams chunk by chunk.
/// Usage is taken from the upstream's `usage` (streams always ask for it; the usage chunk is
/// passed on only if the client asked too).
struct RemoteRelay {
    let routes: OpenAIRoutes
    let remote: RemoteBackend
    let principal: Principal
    let request: Request
    let context: NuriRequestContext
    let started: ContinuousClock.Instant

    /// Largest upstream answer read whole (non-streaming).
    static let answerLimit = 64 << 20

    func meter(_ endpoint: String) -> OpenAIRoutes.Meter {
        .init(usage: routes.usage, limiter: routes.limiter, principal: principal, model: remote.name, endpoint: endpoint,
              started: started, logger: context.logger)
    }

    /// The fields of a chat request the relay reads, checked; the rest goes upstream unread.
    struct ChatFields {
        let top: JSONMembers
        let texts: [String]
        /// Each message's text in the request, to put masked content in place.
        let messages: [Range<Int>]
        let stream: Bool
        let includeUsage: Bool
        /// `logprobs: true` (anything else: none asked for).
        let logprobs: Bool

        /// `members`: the body's members, when the caller has read them already.
        init(_ body: [UInt8], members: JSONMembers? = nil) throws {
            let top = try members ?? RemoteRelay.members(body)
            self.top = top
            guard let messagesRange = top["messages"], JSONMembers.kind(body, range: messagesRange) == .array else {
                throw GatewayError.invalidRequest(param: "messages", message: "messages must be a list of {role, content} objects")
            }
            messages = try JSONMembers.elements(body, range: messagesRange)
            guard !messages.isEmpty else {
                throw GatewayError.invalidRequest(param: "messages", message: "messages must contain at least one message")
            }
            texts = try messages.enumerated().map { index, range in
                guard case .object(let fields) = try JSONMembers.value(body, range: range), case .string? = fields["role"] else {
                    throw GatewayError.invalidRequest(param: "messages[\(index)]", message: "each message must be an object with a string role")
                }
                switch fields["content"] {
                case nil, .null?, .string?, .array?: return ChatCompletionRequest.Message.text(of: fields["content"])
                default: throw GatewayError.invalidRequest(param: "messages[\(index)].content", message: "content must be a string or a list of parts")
                }
            }
            logprobs = top["logprobs"].map { range in (try? JSONMembers.value(body, range: range)) == .bool(true) } ?? false
            switch try top["stream"].map({ try JSONMembers.value(body, range: $0) }) {
            case nil, .null?: stream = false
            case .bool(let value)?: stream = value
            default: throw GatewayError.invalidRequest(param: "stream", message: "field 'stream' has the wrong type: expected a boolean")
            }
            switch try top["stream_options"].map({ try JSONMembers.value(body, range: $0) }) {
            case nil, .null?: includeUsage = false
            case .object(let options)?:
                switch options["include_usage"] {
                case nil, .null?: includeUsage = false
                case .bool(let value)?: includeUsage = value
                default: throw GatewayError.invalidRequest(param: "stream_options.include_usage", message: "field 'stream_options.include_usage' has the wrong type: expected a boolean")
                }
            default: throw GatewayError.invalidRequest(param: "stream_options", message: "field 'stream_options' has the wrong type: expected an object")
            }
        }
    }

    /// Relays a chat request, given as the client's JSON text (and its members, if read already).
    func chat(_ body: [UInt8], top: JSONMembers? = nil) async throws -> Response {
        let fields = try ChatFields(body, members: top)
        let input = PolicyInput(principal: principal, request: request, model: remote.name, backend: remote.labels, texts: fields.texts)
        let verdict = try await routes.policy.inspect(input)
        var edits = JSONEdits()
        switch verdict.decision {
        case .allow: break
        case .replace(let texts):
            guard texts.count == fields.messages.count else {
                throw GatewayError.backendFailed("the data-protection policy returned a different number of texts")
            }
            for (index, text) in texts.enumerated() where text != fields.texts[index] {
                let message = try JSONMembers(body, range: fields.messages[index])
                if let content = message["content"] {
                    edits.replace(content, with: .string(text))
                } else {
                    Self.insert(member: "content", value: .string(text), into: message, edits: &edits)
                }
            }
        case .block(let code, let message): throw GatewayError.blockedByPolicy(code: code, message: message)
        }
        if fields.stream, let n = fields.top["n"], case .number(let count) = try JSONMembers.value(body, range: n), count > 1 {
            // The relay screens a stream's first choice; an upstream's n choices would pass unscreened.
            throw GatewayError.invalidRequest(param: "n", message: "streaming supports n = 1")
        }
        try await routes.limiter.admit(OpenAIRoutes.Meter.subjects(principal))
        if let model = fields.top["model"] {
            edits.replace(model, with: .string(remote.upstreamModel))
        }
        if fields.stream {
            // Streams always ask for usage, to meter them; the client sees the usage chunk only if it asked.
            if let existing = fields.top["stream_options"] {
                var options: [String: JSONValue] = [:]
                if case .object(let given) = try JSONMembers.value(body, range: existing) { options = given }
                options["include_usage"] = .bool(true)
                edits.replace(existing, with: .object(options))
            } else {
                Self.insert(Self.includeUsage, intoObjectAt: fields.top.range, isEmpty: fields.top.members.isEmpty, edits: &edits)
            }
        }
        var upstreamBody: [UInt8] = []
        upstreamBody.reserveCapacity(body.count + 64)
        edits.apply(to: body, range: fields.top.range, into: &upstreamBody)
        return try await metered("chat.completions") {
            let response = try await remote.post("chat/completions", bytes: upstreamBody)
            guard response.status.code == 200 else { return try await passError(response, endpoint: "chat.completions") }
            return fields.stream
                ? streamChat(response, output: verdict.output, clientWantsUsage: fields.includeUsage, clientWantsLogprobs: fields.logprobs)
                : try await answerChat(response, output: verdict.output)
        }
    }

    /// Runs the exchange with the upstream. If it fails before its answer is metered, the
    /// failure is: status 499 when the client left (which cancels this task), else the status
    /// the client gets (502 when no replica answered).
    private func metered(_ endpoint: String, _ exchange: () async throws -> Response) async throws -> Response {
        do {
            return try await exchange()
        } catch {
            await meter(endpoint).recordFailure(error, prompt: 0, completion: 0)
            throw error
        }
    }

    /// A whole answer: Nuri's model name, each choice's content through the output filter.
    private func answerChat(_ response: UpstreamResponse, output: any OutputFilter) async throws -> Response {
        let answer = Array(try await response.body.collect(upTo: Self.answerLimit).readableBytesView)
        let top: JSONMembers
        do {
            top = try JSONMembers(answer)
        } catch {
            throw GatewayError.backendFailed("the upstream's answer is not a JSON object (\(error))")
        }
        var edits = JSONEdits()
        if let model = top["model"] { edits.replace(model, with: nameJSON) }
        if let choices = top["choices"], JSONMembers.kind(answer, range: choices) == .array {
            for element in try JSONMembers.elements(answer, range: choices) where JSONMembers.kind(answer, range: element) == .object {
                let choice = try JSONMembers(answer, range: element)
                guard let messageRange = choice["message"], JSONMembers.kind(answer, range: messageRange) == .object else { continue }
                let message = try JSONMembers(answer, range: messageRange)
                guard let contentRange = message["content"], case .string(let content) = try JSONMembers.value(answer, range: contentRange) else { continue }
                var filter = output
                let screened = try await filter.screen(content)
                if screened != content {
                    edits.replace(contentRange, with: .string(screened))
                    // The tokens would show what the filter changed (see ScreenedLogProbs): withheld.
                    if let logprobs = choice["logprobs"], JSONMembers.kind(answer, range: logprobs) != .null {
                        edits.replace(logprobs, with: .object(["content": .array([])]))
                    }
                }
            }
        }
        let (prompt, completion) = try Self.usage(answer, top)
        await meter("chat.completions").record(prompt: prompt, completion: completion, status: 200)
        var out: [UInt8] = []
        out.reserveCapacity(answer.count + 32)
        edits.apply(to: answer, range: top.range, into: &out)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }

    /// Nuri's name for the model, as a JSON string.
    var nameJSON: [UInt8] { remote.nameJSON }

    /// A stream, event by event: each passed on as it came but for the model's name and the text
    /// the output filter changed or held back.
    private func streamChat(_ response: UpstreamResponse, output: any OutputFilter, clientWantsUsage: Bool, clientWantsLogprobs: Bool) -> Response {
        relay(response, endpoint: "chat.completions", editor: ChatStreamEditor(output: output, nameJSON: nameJSON, clientWantsUsage: clientWantsUsage,
                                                                               clientWantsLogprobs: clientWantsLogprobs))
    }

    /// Relays a streamed answer, its events changed by `editor`, and meters it: the usage of its
    /// last usage event when it reaches `[DONE]` (status 200, or 502 after an error event), else
    /// what came so far (499 when the client left, 502 when the upstream failed or ended without
    /// `[DONE]`).
    private func relay(_ response: UpstreamResponse, endpoint: String, editor: some StreamEditor) -> Response {
        let name = remote.name, meter = meter(endpoint), logger = context.logger
        // Written straight to the client as the upstream's events arrive: a client that hangs up
        // makes the write throw, which ends the loop and drops the upstream's body (closing that
        // connection, so the upstream stops generating).
        let body = ResponseBody { writer in
            var editor = editor
            var pending: [UInt8] = []
            var counts = (0, 0)
            var recorded = false, clientGone = false, done = false
            do {
                for try await buffer in response.body {
                    // After `[DONE]` the client's answer has ended; the rest of the upstream's
                    // body is read to its end (so that its connection can serve another request) and dropped.
                    if done { continue }
                    buffer.withUnsafeReadableBytes { pending.append(contentsOf: $0) }  // one copy, not byte by byte
                    // Events that arrived together leave together: one write, not one per event.
                    var out: [UInt8] = []
                    out.reserveCapacity(pending.count + 256)
                    var consumed = 0
                    while let end = Self.eventEnd(in: pending, from: consumed) {
                        let event = pending[consumed..<end]
                        consumed = end + 2
                        guard event.starts(with: Self.dataPrefix) else { continue }
                        let payload = Self.trimmed(event.dropFirst(Self.dataPrefix.count))
                        if payload.elementsEqual(Self.done) {
                            // An upstream that never sent a finish_reason: release what is held.
                            try await editor.release(into: &out)
                            recorded = true
                            await meter.record(prompt: counts.0, completion: counts.1, status: editor.upstreamFailed ? 502 : 200)
                            out.append(contentsOf: "data: [DONE]\n\n".utf8)
                            done = true
                            break
                        }
                        // Read in place: the event's text is a range of `pending`, not a copy.
                        if let usage = try await editor.edit(pending, payload: payload.indices, into: &out) { counts = usage }
                    }
                    pending.removeFirst(consumed)
                    do {
                        if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
                        // The end goes out at once, not when the upstream's body has ended too.
                        if done { try await writer.finish(nil) }
                    } catch {
                        clientGone = true
                        throw error
                    }
                }
                if done { return }
                // Cancelled: the client left while the next event was awaited (most of a
                // stream's time), not at a write.
                clientGone = clientGone || Task.isCancelled
                if !recorded { await meter.record(prompt: counts.0, completion: counts.1, status: clientGone ? 499 : 502) }
            } catch {
                // The upstream failing after `[DONE]` changes nothing for a client already answered.
                if done && !clientGone { return }
                clientGone = clientGone || Task.isCancelled
                if !recorded { await meter.record(prompt: counts.0, completion: counts.1, status: clientGone ? 499 : 502) }
                if clientGone { throw error }
                // The upstream (or the output screen) failed mid-answer: the stream ends without [DONE].
                logger.warning("remote stream ended early", metadata: ["model": .string(name), "error": "\(error)"])
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.streamHeaders, body: body)
    }

    /// Adds `"name": value` to an object that lacks it, just inside its opening brace.
    static func insert(member name: String, value: JSONValue, into object: JSONMembers, edits: inout JSONEdits) {
        insert(member: name, value: value, intoObjectAt: object.range, isEmpty: object.members.isEmpty, edits: &edits)
    }

    /// Adds `"name": value` to the object whose text is `range` (braces included), just inside its opening brace.
    static func insert(member name: String, value: JSONValue, intoObjectAt range: Range<Int>, isEmpty: Bool, edits: inout JSONEdits) {
        var text = JSONValue.string(name).jsonBytes
        text.append(UInt8(ascii: ":"))
        value.write(to: &text)
        insert(text, intoObjectAt: range, isEmpty: isEmpty, edits: &edits)
    }

    /// Adds a member, given as its JSON text (`"name":value`), just inside the object's opening brace.
    static func insert(_ member: [UInt8], intoObjectAt range: Range<Int>, isEmpty: Bool, edits: inout JSONEdits) {
        var text = member
        if !isEmpty { text.append(UInt8(ascii: ",")) }
        let at = range.lowerBound + 1
        edits.replace(at..<at, with: text)
    }

    /// A stream's headers, made once (Hummingbird adds the date and the server's name).
    static let streamHeaders: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    /// The member a stream's request gets when the client sent no `stream_options`.
    static let includeUsage = Array(#""stream_options":{"include_usage":true}"#.utf8)

    /// The members of the client's request, or a 400 naming what is wrong with its text.
    static func members(_ bytes: [UInt8]) throws -> JSONMembers {
        do {
            return try JSONMembers(bytes)
        } catch {
            throw GatewayError.invalidRequest(param: nil, message: "the request body must be a JSON object; it is \(error)")
        }
    }

    /// Prompt and completion tokens from the `usage` member of an answer or chunk.
    static func usage(_ bytes: [UInt8], _ top: JSONMembers) throws -> (Int, Int) {
        guard let range = top["usage"] else { return (0, 0) }
        return try tokens(bytes, usage: range)
    }

    /// Prompt and completion tokens of the `usage` whose text is `range` of `bytes` (zeros for
    /// anything but an object), read in place.
    static func tokens(_ bytes: [UInt8], usage range: Range<Int>) throws -> (Int, Int) {
        guard JSONMembers.kind(bytes, range: range) == .object else { return (0, 0) }
        let (prompt, completion) = try JSONMembers.numbers(bytes, range: range, "prompt_tokens", "completion_tokens")
        return (count(prompt.map(JSONValue.number)), count(completion.map(JSONValue.number)))
    }

    func completions(body: CompletionRequest, raw: Data) async throws -> Response {
        var object = try Self.object(raw)
        let texts: [String]
        switch body.prompt {
        case .texts(let prompts): texts = prompts
        case .tokens: texts = []
        }
        let input = PolicyInput(principal: principal, request: request, model: remote.name, backend: remote.labels, texts: texts)
        let verdict = try await routes.policy.inspect(input)
        switch verdict.decision {
        case .allow: break
        case .replace(let replaced):
            object["prompt"] = replaced.count == 1 ? .string(replaced[0]) : .array(replaced.map(JSONValue.string))
        case .block(let code, let message): throw GatewayError.blockedByPolicy(code: code, message: message)
        }
        try await routes.limiter.admit(OpenAIRoutes.Meter.subjects(principal))
        object["model"] = .string(remote.upstreamModel)
        let stream = body.stream == true
        if stream {
            // Streams always ask for usage, to meter them; the client sees the usage chunk only if it asked.
            var options: [String: JSONValue] = [:]
            if case .object(let given)? = object["stream_options"] { options = given }
            options["include_usage"] = .bool(true)
            object["stream_options"] = .object(options)
        }
        return try await metered("completions") {
            let response = try await remote.post("completions", body: .object(object))
            guard response.status.code == 200 else { return try await passError(response, endpoint: "completions") }
            guard stream else { return try await completionsAnswer(response, output: verdict.output, generates: body.maxTokens != 0) }
            let editor = CompletionStreamEditor(output: verdict.output, name: remote.name,
                                                clientWantsUsage: body.streamOptions?.includeUsage == true)
            return relay(response, endpoint: "completions", editor: editor)
        }
    }

    /// `generates`: whether the request asked for any tokens (not only for its prompt's scores).
    private func completionsAnswer(_ response: UpstreamResponse, output: any OutputFilter, generates: Bool) async throws -> Response {
        var answer = try Self.object((try await response.body.collect(upTo: Self.answerLimit)).readableBytesView)
        answer["model"] = .string(remote.name)
        if case .array(var choices)? = answer["choices"] {
            for index in choices.indices {
                guard case .object(var choice) = choices[index], case .string(let text)? = choice["text"] else { continue }
                var output = output
                let screened = try await output.screen(text)
                choice["text"] = .string(screened)
                // Generated tokens would show what the filter changed (see ScreenedLogProbs): withheld.
                // An echo alone (max_tokens 0, scoring) is the client's own prompt, as it left.
                if screened != text, generates, choice["logprobs"] != nil, choice["logprobs"] != .null { choice["logprobs"] = .null }
                choices[index] = .object(choice)
            }
            answer["choices"] = .array(choices)
        }
        let (prompt, completion) = Self.usage(answer)
        await meter("completions").record(prompt: prompt, completion: completion, status: 200)
        return Self.json(.object(answer))
    }

    /// An upstream error, passed on with its status (its body is already OpenAI-shaped).
    private func passError(_ response: UpstreamResponse, endpoint: String) async throws -> Response {
        let body = try await response.body.collect(upTo: 1 << 20)
        await meter(endpoint).record(prompt: 0, completion: 0, status: Int(response.status.code))
        return Response(status: .init(code: Int(response.status.code)), headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    static func object(_ bytes: some Collection<UInt8>) throws -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw GatewayError.invalidRequest(param: nil, message: "the body is \(error)")
        }
        guard case .object(let object) = value else {
            throw GatewayError.invalidRequest(param: nil, message: "the body must be a JSON object")
        }
        return object
    }

    static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }

    // MARK: Server-sent events, as bytes

    static let dataPrefix = Array("data:".utf8)
    static let done = Array("[DONE]".utf8)

    /// The index of the blank line ending the event that starts at `start`, if it has arrived.
    static func eventEnd(in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var index = start
            // Each line feed but the last byte's, found by memchr; an event ends at two in a row.
            while index + 1 < buffer.count, let found = memchr(base + index, 0x0A, buffer.count - 1 - index) {
                let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if buffer[at + 1] == 0x0A { return at }
                index = at + 1
            }
            return nil
        }
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D { slice = slice.dropLast() }
        return slice
    }

    static func usage(_ object: [String: JSONValue]) -> (Int, Int) {
        tokens(in: object["usage"])
    }

    /// Prompt and completion tokens of a `usage` object (zeros for anything else).
    static func tokens(in usage: JSONValue?) -> (Int, Int) {
        guard case .object(let usage)? = usage else { return (0, 0) }
        return (count(usage["prompt_tokens"]), count(usage["completion_tokens"]))
    }

    /// A token count as the upstream gave it, whole part only. What cannot be a count (not a
    /// number, below 0, or past 10¹⁵, which `Int` could not even hold from 10¹⁹ on) is 0: an
    /// upstream's usage is not trusted to crash the server or to give a budget back.
    static func count(_ value: JSONValue?) -> Int {
        guard case .number(let number)? = value, number >= 0, number <= 1e15 else { return 0 }
        return Int(number)
    }
}
