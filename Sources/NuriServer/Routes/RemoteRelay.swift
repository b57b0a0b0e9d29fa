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
        let texts: [String]
        let stream: Bool
        let includeUsage: Bool

        init(_ object: [String: JSONValue]) throws {
            guard case .array(let messages)? = object["messages"] else {
                throw GatewayError.invalidRequest(param: "messages", message: "messages must be a list of {role, content} objects")
            }
            guard !messages.isEmpty else {
                throw GatewayError.invalidRequest(param: "messages", message: "messages must contain at least one message")
            }
            texts = try messages.enumerated().map { index, message in
                guard case .object(let fields) = message, case .string? = fields["role"] else {
                    throw GatewayError.invalidRequest(param: "messages[\(index)]", message: "each message must be an object with a string role")
                }
                switch fields["content"] {
                case nil, .null?, .string?, .array?: return ChatCompletionRequest.Message.text(of: fields["content"])
                default: throw GatewayError.invalidRequest(param: "messages[\(index)].content", message: "content must be a string or a list of parts")
                }
            }
            switch object["stream"] {
            case nil, .null?: stream = false
            case .bool(let value)?: stream = value
            default: throw GatewayError.invalidRequest(param: "stream", message: "field 'stream' has the wrong type: expected a boolean")
            }
            switch object["stream_options"] {
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

    func chat(_ request: [String: JSONValue]) async throws -> Response {
        var object = request
        let fields = try ChatFields(object)
        let input = PolicyInput(principal: principal, request: self.request, model: remote.name, backend: remote.labels, texts: fields.texts)
        let verdict = try await routes.policy.inspect(input)
        switch verdict.decision {
        case .allow: break
        case .replace(let texts):
            guard case .array(var messages)? = object["messages"], messages.count == texts.count else {
                throw GatewayError.backendFailed("the data-protection policy returned a different number of texts")
            }
            for (index, text) in texts.enumerated() {
                if case .object(var message) = messages[index] {
                    message["content"] = .string(text)
                    messages[index] = .object(message)
                }
            }
            object["messages"] = .array(messages)
        case .block(let code, let message): throw GatewayError.blockedByPolicy(code: code, message: message)
        }
        try await routes.limiter.admit(OpenAIRoutes.Meter.subjects(principal))
        object["model"] = .string(remote.upstreamModel)
        let streaming = fields.stream
        let clientWantsUsage = fields.includeUsage
        if streaming {
            var options: [String: JSONValue] = [:]
            if case .object(let existing)? = object["stream_options"] { options = existing }
            options["include_usage"] = .bool(true)
            object["stream_options"] = .object(options)
        }
        let response = try await remote.post("chat/completions", body: .object(object))
        guard response.status.code == 200 else { return try await passError(response, endpoint: "chat.completions") }
        if !streaming {
            var answer = try Self.object((try await response.body.collect(upTo: Self.answerLimit)).readableBytesView)
            answer["model"] = .string(remote.name)
            if case .array(var choices)? = answer["choices"] {
                for index in choices.indices {
                    guard case .object(var choice) = choices[index], case .object(var message)? = choice["message"],
                          case .string(let content)? = message["content"] else { continue }
                    var output = verdict.output
                    message["content"] = .string(try await output.screen(content))
                    choice["message"] = .object(message)
                    choices[index] = .object(choice)
                }
                answer["choices"] = .array(choices)
            }
            let (prompt, completion) = Self.usage(answer)
            await meter("chat.completions").record(prompt: prompt, completion: completion, status: 200)
            return Self.json(.object(answer))
        }
        let name = remote.name, meter = meter("chat.completions"), logger = context.logger
        // Written straight to the client as the upstream's events arrive: a client that hangs up
        // makes the write throw, which ends the loop and drops the upstream's body (closing that
        // connection, so the upstream stops generating).
        let body = ResponseBody { writer in
            var pending: [UInt8] = []
            var output = verdict.output
            var lastID = JSONValue.null
            var counts = (0, 0)
            var recorded = false, clientGone = false
            do {
                for try await buffer in response.body {
                    pending.append(contentsOf: buffer.readableBytesView)
                    // Events that arrived together leave together: one write, not one per event.
                    var out: [UInt8] = []
                    var consumed = 0
                    while let end = Self.eventEnd(in: pending, from: consumed) {
                        let event = pending[consumed..<end]
                        consumed = end + 2
                        guard event.starts(with: Self.dataPrefix) else { continue }
                        let payload = Self.trimmed(event.dropFirst(Self.dataPrefix.count))
                        if payload.elementsEqual(Self.done) {
                            // An upstream that never sent a finish_reason: release what is held.
                            let rest = try await output.finish()
                            if !rest.isEmpty {
                                let chunk: JSONValue = .object(["id": lastID, "object": .string("chat.completion.chunk"), "model": .string(name),
                                                                "choices": .array([.object(["index": .number(0), "delta": .object(["content": .string(rest)]),
                                                                                            "finish_reason": .null])])])
                                out.append(contentsOf: "data: ".utf8)
                                chunk.write(to: &out)
                                out.append(contentsOf: [0x0A, 0x0A])
                            }
                            recorded = true
                            await meter.record(prompt: counts.0, completion: counts.1, status: 200)
                            out.append(contentsOf: "data: [DONE]\n\n".utf8)
                            continue
                        }
                        guard var chunk = try? Self.object(payload) else { continue }
                        chunk["model"] = .string(name)
                        lastID = chunk["id"] ?? .null
                        if case .object? = chunk["usage"] {
                            counts = Self.usage(chunk)
                            if case .array(let choices)? = chunk["choices"], choices.isEmpty, !clientWantsUsage { continue }
                        }
                        if case .array(var choices)? = chunk["choices"], case .object(var choice)? = choices.first,
                           case .object(var delta)? = choice["delta"] {
                            // Text the screen holds back goes out with a later chunk; the last
                            // one (with a finish_reason) carries the rest.
                            var content = ""
                            if case .string(let piece)? = delta["content"] { content = try await output.pass(piece) }
                            if let reason = choice["finish_reason"], reason != .null { content += try await output.finish() }
                            if delta["content"] != nil || !content.isEmpty {
                                delta["content"] = .string(content)
                                choice["delta"] = .object(delta)
                                choices[0] = .object(choice)
                                chunk["choices"] = .array(choices)
                            }
                        }
                        out.append(contentsOf: "data: ".utf8)
                        JSONValue.object(chunk).write(to: &out)
                        out.append(contentsOf: [0x0A, 0x0A])
                    }
                    pending.removeFirst(consumed)
                    if !out.isEmpty {
                        do {
                            try await writer.write(ByteBuffer(bytes: out))
                        } catch {
                            clientGone = true
                            throw error
                        }
                    }
                }
                if !recorded { await meter.record(prompt: counts.0, completion: counts.1, status: 502) }
            } catch {
                if !recorded { await meter.record(prompt: counts.0, completion: counts.1, status: clientGone ? 499 : 502) }
                if clientGone { throw error }
                // The upstream (or the output screen) failed mid-answer: the stream ends without [DONE].
                logger.warning("remote stream ended early", metadata: ["model": .string(name), "error": "\(error)"])
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    func completions(body: CompletionRequest, raw: Data) async throws -> Response {
        guard body.stream != true else {
            throw GatewayError.invalidRequest(param: "stream", message: "streaming is supported on /v1/chat/completions; send stream: false here")
        }
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
        let response = try await remote.post("completions", body: .object(object))
        guard response.status.code == 200 else { return try await passError(response, endpoint: "completions") }
        var answer = try Self.object((try await response.body.collect(upTo: Self.answerLimit)).readableBytesView)
        answer["model"] = .string(remote.name)
        if case .array(var choices)? = answer["choices"] {
            for index in choices.indices {
                guard case .object(var choice) = choices[index], case .string(let text)? = choice["text"] else { continue }
                var output = verdict.output
                choice["text"] = .string(try await output.screen(text))
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
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A, bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D { slice = slice.dropLast() }
        return slice
    }

    static func usage(_ object: [String: JSONValue]) -> (Int, Int) {
        guard case .object(let usage)? = object["usage"] else { return (0, 0) }
        func count(_ key: String) -> Int {
            if case .number(let value)? = usage[key] { return Int(value) }
            return 0
        }
        return (count("prompt_tokens"), count("completion_tokens"))
    }
}
