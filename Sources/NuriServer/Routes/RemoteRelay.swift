import AsyncHTTPClient
import Foundation
import Hummingbird
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

    func chat(body: ChatCompletionRequest, raw: Data) async throws -> Response {
        var object = try Self.object(raw)
        let input = PolicyInput(principal: principal, request: request, model: remote.name, backend: remote.labels, texts: body.messages.map(\.text))
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
        let streaming = body.stream == true
        let clientWantsUsage = body.streamOptions?.includeUsage == true
        if streaming {
            var options: [String: JSONValue] = [:]
            if case .object(let existing)? = object["stream_options"] { options = existing }
            options["include_usage"] = .bool(true)
            object["stream_options"] = .object(options)
        }
        let response = try await remote.post("chat/completions", body: .object(object))
        guard response.status.code == 200 else { return try await passError(response, endpoint: "chat.completions") }
        if !streaming {
            var answer = try Self.object(Data((try await response.body.collect(upTo: Self.answerLimit)).readableBytesView))
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
            return try routes.json(JSONValue.object(answer))
        }
        let name = remote.name, meter = meter("chat.completions")
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let task = Task {
                var pending = ""
                var output = verdict.output
                var lastID = JSONValue.null
                var counts = (0, 0)
                var status = 499
                do {
                    for try await buffer in response.body {
                        pending += String(buffer: buffer)
                        while let end = pending.range(of: "\n\n") {
                            let event = String(pending[..<end.lowerBound])
                            pending = String(pending[end.upperBound...])
                            guard event.hasPrefix("data:") else { continue }
                            let payload = event.dropFirst(5).trimmingCharacters(in: .whitespaces)
                            if payload == "[DONE]" {
                                // An upstream that never sent a finish_reason: release what is held.
                                let rest = try await output.finish()
                                if !rest.isEmpty {
                                    let chunk: JSONValue = .object(["id": lastID, "object": .string("chat.completion.chunk"), "model": .string(name),
                                                                    "choices": .array([.object(["index": .number(0), "delta": .object(["content": .string(rest)]),
                                                                                                "finish_reason": .null])])])
                                    var line = Data("data: ".utf8)
                                    line.append(try JSONEncoder().encode(chunk))
                                    line.append(contentsOf: Array("\n\n".utf8))
                                    continuation.yield(ByteBuffer(bytes: line))
                                }
                                status = 200
                                await meter.record(prompt: counts.0, completion: counts.1, status: status)
                                continuation.yield(ByteBuffer(string: "data: [DONE]\n\n"))
                                continue
                            }
                            guard var chunk = try? Self.object(Data(payload.utf8)) else { continue }
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
                            var line = Data("data: ".utf8)
                            line.append(try JSONEncoder().encode(JSONValue.object(chunk)))
                            line.append(contentsOf: Array("\n\n".utf8))
                            continuation.yield(ByteBuffer(bytes: line))
                        }
                    }
                    if status != 200 { await meter.record(prompt: counts.0, completion: counts.1, status: 502) }
                    continuation.finish()
                } catch {
                    await meter.record(prompt: counts.0, completion: counts.1, status: Task.isCancelled ? 499 : 502)
                    continuation.finish()
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody(asyncSequence: stream))
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
        var answer = try Self.object(Data((try await response.body.collect(upTo: Self.answerLimit)).readableBytesView))
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
        return try routes.json(JSONValue.object(answer))
    }

    /// An upstream error, passed on with its status (its body is already OpenAI-shaped).
    private func passError(_ response: HTTPClientResponse, endpoint: String) async throws -> Response {
        let body = try await response.body.collect(upTo: 1 << 20)
        await meter(endpoint).record(prompt: 0, completion: 0, status: Int(response.status.code))
        return Response(status: .init(code: Int(response.status.code)), headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    static func object(_ data: Data) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw GatewayError.invalidRequest(param: nil, message: "the body must be a JSON object")
        }
        return object
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
