import Foundation
import Hummingbird
import NuriEngine
import NuriGateway
import Logging
import NuriIdentity

/// The OpenAI-compatible API under `/v1`: models, chat completions (streaming or not) and
/// completions (with `echo` and `logprobs`). Every route needs a token with the `inference` scope.
struct OpenAIRoutes {
    let gateway: Gateway
    let bodyLimit: Int
    let usage: UsageRecorder
    let limiter: RateLimiter
    let policy: any RequestPolicy
    let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    func add(to group: RouterGroup<NuriRequestContext>) {
        group.get("models", use: listModels)
        group.get("models/:model", use: showModel)
        group.post("chat/completions", use: chatCompletions)
        group.post("completions", use: completions)
    }

    // MARK: Models

    @Sendable func listModels(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.inference)
        let models = gateway.modelNames(for: principal.modelViewer).compactMap { name in
            gateway.backends[name].map { OpenAIResponses.Model(id: name, created: $0.created, ownedBy: Self.owner($0)) }
        }
        return try json(OpenAIResponses.ModelList(data: models))
    }

    @Sendable func showModel(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.inference)
        let name = try context.parameters.require("model")
        let backend = try gateway.backend(name, for: principal.modelViewer)
        return try json(OpenAIResponses.Model(id: name, created: backend.created, ownedBy: Self.owner(backend)))
    }

    static func owner(_ backend: ModelBackend) -> String {
        if case .remote = backend { return "remote" }
        return "nuri"
    }

    // MARK: Chat

    @Sendable func chatCompletions(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.inference)
        let started = ContinuousClock.now
        let raw = try await request.collectJSONBody(limit: bodyLimit)
        // A remote model's request is read in place (the members Nuri needs, checked there) and
        // passed on byte for byte; a local model's is decoded field by field.
        let bytes = Array(raw.readableBytesView)
        if let top = try? JSONMembers(bytes), let modelRange = top["model"], case .string(let model)? = try? JSONMembers.value(bytes, range: modelRange),
           case .remote(let remote) = try gateway.backend(model, for: principal.modelViewer) {
            return try await RemoteRelay(routes: self, remote: remote, principal: principal, request: request, context: context, started: started)
                .chat(bytes, top: top)
        }
        let body = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(bytes))
        guard !body.messages.isEmpty else {
            throw GatewayError.invalidRequest(param: "messages", message: "messages must contain at least one message")
        }
        let backend: LocalBackend
        switch try gateway.backend(body.model, for: principal.modelViewer) {
        case .local(let local): backend = local
        case .remote(let remote):
            return try await RemoteRelay(routes: self, remote: remote, principal: principal, request: request, context: context, started: started)
                .chat(bytes)
        }
        let policyInput = PolicyInput(principal: principal, request: request, model: body.model, backend: backend.labels,
                                      texts: body.messages.map(\.text))
        var contents = body.messages.map(\.text)
        let verdict = try await policy.inspect(policyInput)
        switch verdict.decision {
        case .allow: break
        case .replace(let texts) where texts.count == contents.count: contents = texts
        case .replace: throw GatewayError.backendFailed("the data-protection policy returned a different number of texts")
        case .block(let code, let message): throw GatewayError.blockedByPolicy(code: code, message: message)
        }
        let prompt = try backend.chatPrompt(zip(body.messages, contents).map { ChatMessage(role: $0.role, content: $1) })
        let n = try RequestValidation.choices(body.n)
        let topLogprobs = body.topLogprobs ?? 0
        guard (0...20).contains(topLogprobs) else {
            throw GatewayError.invalidRequest(param: "top_logprobs", message: "top_logprobs must be between 0 and 20")
        }
        let maxTokens = try RequestValidation.maxTokens(body.maxCompletionTokens ?? body.maxTokens,
                                                        param: body.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens",
                                                        promptTokens: prompt.count, contextLength: backend.contextLength)
        var options = GenerationOptions(
            maxTokens: maxTokens,
            sampling: try RequestValidation.sampling(temperature: body.temperature, topP: body.topP, presencePenalty: body.presencePenalty,
                                                     frequencyPenalty: body.frequencyPenalty, seed: body.seed),
            stop: try RequestValidation.stop(body.stop),
            logProbabilities: body.logprobs == true ? topLogprobs : nil)
        let id = OpenAIResponses.identifier("chatcmpl"), created = Int(Date().timeIntervalSince1970)
        try await limiter.admit(Meter.subjects(principal))

        if body.stream == true {
            guard n == 1 else { throw GatewayError.invalidRequest(param: "n", message: "streaming supports n = 1") }
            let includeUsage = body.streamOptions?.includeUsage == true
            let events = backend.generate(prompt: prompt, options: options)
            let tokenizer = backend.tokenizer, model = body.model, encoder = self.encoder
            let meter = Meter(usage: usage, limiter: limiter, principal: principal, model: model, endpoint: "chat.completions", started: started, logger: context.logger)
            let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                let task = Task {
                    var counts = (prompt: prompt.count, completion: 0)
                    var status = 499
                    var timer = TokenTimer(metrics: InferenceMetrics.of(model: model, endpoint: "chat.completions"), started: started)
                    var output = verdict.output
                    func send(_ chunk: OpenAIResponses.ChatCompletionChunk) throws {
                        var data = Data("data: ".utf8)
                        data.append(try encoder.encode(chunk))
                        data.append(contentsOf: Array("\n\n".utf8))
                        continuation.yield(ByteBuffer(bytes: data))
                    }
                    do {
                        try send(.init(id: id, created: created, model: model,
                                       choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil, logprobs: nil)], usage: nil))
                        for try await event in events {
                            switch event {
                            case .token(let token, let text, let probabilities):
                                if token >= 0 {
                                    timer.token()
                                    counts.completion += 1  // what a client that leaves is charged
                                }
                                let text = try await output.pass(text)
                                guard !text.isEmpty || probabilities != nil else { continue }
                                let logprobs = probabilities.map { OpenAIResponses.ChatLogProbs(content: [OpenAIResponses.ChatLogProbs.entry($0, tokenizer: tokenizer)]) }
                                try send(.init(id: id, created: created, model: model,
                                               choices: [.init(index: 0, delta: .init(role: nil, content: text), finishReason: nil, logprobs: logprobs)], usage: nil))
                            case .finished(let promptTokens, let completionTokens, let reason):
                                counts = (promptTokens, completionTokens)
                                status = 200
                                let rest = try await output.finish()
                                if !rest.isEmpty {
                                    try send(.init(id: id, created: created, model: model,
                                                   choices: [.init(index: 0, delta: .init(role: nil, content: rest), finishReason: nil, logprobs: nil)], usage: nil))
                                }
                                try send(.init(id: id, created: created, model: model,
                                               choices: [.init(index: 0, delta: .init(role: nil, content: nil), finishReason: OpenAIResponses.finishReason(reason), logprobs: nil)], usage: nil))
                                if includeUsage {
                                    try send(.init(id: id, created: created, model: model, choices: [],
                                                   usage: .init(promptTokens: promptTokens, completionTokens: completionTokens)))
                                }
                            }
                        }
                        // Recorded before [DONE], so a client that reads usage right after sees it.
                        await meter.record(prompt: counts.prompt, completion: counts.completion, status: status)
                        continuation.yield(ByteBuffer(string: "data: [DONE]\n\n"))
                        continuation.finish()
                    } catch {
                        await meter.recordFailure(error, prompt: counts.prompt, completion: counts.completion)
                        // Headers are sent: report the failure in the stream, as OpenAI does.
                        let apiError = APIError(error)
                        let text = #"data: {"error":{"message":"\#(apiError.message.replacingOccurrences(of: "\"", with: "'"))","type":"\#(apiError.type)","param":null,"code":null}}"# + "\n\n"
                        continuation.yield(ByteBuffer(string: text))
                        continuation.finish()
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return Response(status: .ok,
                            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: ResponseBody(asyncSequence: stream))
        }

        var choices: [OpenAIResponses.ChatCompletion.Choice] = []
        var completionTokens = 0, generated = 0
        let meter = Meter(usage: usage, limiter: limiter, principal: principal, model: body.model, endpoint: "chat.completions",
                          started: started, logger: context.logger)
        do {
            for index in 0..<n {
                if n > 1, let seed = options.sampling.seed { options.sampling.seed = seed &+ UInt64(index) }
                var text = "", logprobs: [OpenAIResponses.ChatLogProbs.Entry] = []
                var reason = Session.FinishReason.stop
                var timer = TokenTimer(metrics: InferenceMetrics.of(model: body.model, endpoint: "chat.completions"), started: ContinuousClock.now)
                for try await event in backend.generate(prompt: prompt, options: options) {
                    switch event {
                    case .token(let token, let piece, let probabilities):
                        if token >= 0 {
                            timer.token()
                            generated += 1
                        }
                        text += piece
                        if let probabilities { logprobs.append(OpenAIResponses.ChatLogProbs.entry(probabilities, tokenizer: backend.tokenizer)) }
                    case .finished(_, let count, let finish):
                        completionTokens += count
                        reason = finish
                    }
                }
                // A cancelled task (the client left) ends the events early, without an error.
                try Task.checkCancellation()
                var output = verdict.output
                text = try await output.screen(text)
                choices.append(.init(index: index, message: .init(role: "assistant", content: text),
                                     finishReason: OpenAIResponses.finishReason(reason),
                                     logprobs: options.logProbabilities == nil ? nil : .init(content: logprobs)))
            }
        } catch {
            await meter.recordFailure(error, prompt: prompt.count * n, completion: generated)
            throw error
        }
        await meter.record(prompt: prompt.count * n, completion: completionTokens, status: 200)
        return try json(OpenAIResponses.ChatCompletion(id: id, created: created, model: body.model, choices: choices,
                                                       usage: .init(promptTokens: prompt.count, completionTokens: completionTokens)))
    }

    // MARK: Completions

    @Sendable func completions(_ request: Request, context: NuriRequestContext) async throws -> Response {
        let principal = try context.require(.inference)
        let started = ContinuousClock.now
        let (body, raw) = try await request.decodeJSONKeepingRaw(CompletionRequest.self, limit: bodyLimit)
        let backend: LocalBackend
        switch try gateway.backend(body.model, for: principal.modelViewer) {
        case .local(let local): backend = local
        case .remote(let remote):
            return try await RemoteRelay(routes: self, remote: remote, principal: principal, request: request, context: context, started: started)
                .completions(body: body, raw: raw)
        }
        guard body.stream != true else {
            throw GatewayError.invalidRequest(param: "stream", message: "streaming is supported on /v1/chat/completions; send stream: false here")
        }
        var prompts: [[Int32]]
        switch body.prompt {
        case .texts(let texts): prompts = texts.map(backend.textPrompt)
        case .tokens(let lists):
            for list in lists {
                for id in list where id < 0 || Int(id) >= backend.model.config.vocabularySize {
                    throw GatewayError.invalidRequest(param: "prompt", message: "token id \(id) is outside the vocabulary of \(backend.model.config.vocabularySize)")
                }
            }
            prompts = lists
        }
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }) else {
            throw GatewayError.invalidRequest(param: "prompt", message: "prompt must not be empty")
        }
        let policyInput = PolicyInput(principal: principal, request: request, model: body.model, backend: backend.labels,
                                      texts: prompts.map { backend.tokenizer.decode($0) })
        let verdict = try await policy.inspect(policyInput)
        switch verdict.decision {
        case .allow: break
        case .replace(let texts) where texts.count == prompts.count: prompts = texts.map(backend.textPrompt)
        case .replace: throw GatewayError.backendFailed("the data-protection policy returned a different number of texts")
        case .block(let code, let message): throw GatewayError.blockedByPolicy(code: code, message: message)
        }
        let n = try RequestValidation.choices(body.n)
        let top = body.logprobs
        if let top, !(0...20).contains(top) {
            throw GatewayError.invalidRequest(param: "logprobs", message: "logprobs must be between 0 and 20")
        }
        let sampling = try RequestValidation.sampling(temperature: body.temperature, topP: body.topP, presencePenalty: body.presencePenalty,
                                                      frequencyPenalty: body.frequencyPenalty, seed: body.seed)
        let stop = try RequestValidation.stop(body.stop)
        let tokenizer = backend.tokenizer
        try await limiter.admit(Meter.subjects(principal))
        var choices: [OpenAIResponses.Completion.Choice] = []
        var promptTokens = 0, completionTokens = 0, generated = 0
        let meter = Meter(usage: usage, limiter: limiter, principal: principal, model: body.model, endpoint: "completions",
                          started: started, logger: context.logger)
        do {
            for prompt in prompts {
                let maxTokens = try RequestValidation.maxTokens(body.maxTokens ?? 16, param: "max_tokens", promptTokens: prompt.count,
                                                                contextLength: backend.contextLength, allowZero: body.echo == true)
                promptTokens += prompt.count
                let scored = body.echo == true && top != nil ? try await backend.scorePrompt(prompt, top: top ?? 0) : []
                for index in 0..<n {
                    var text = body.echo == true ? tokenizer.decode(prompt) : ""
                    var logprobs = OpenAIResponses.Completion.LogProbs()
                    var offset = 0
                    func record(_ id: Int32, _ probabilities: TokenLogProbabilities?) {
                        let piece = tokenizer.decode([id], renderSpecial: true)
                        logprobs.tokens.append(piece)
                        logprobs.tokenLogprobs.append(probabilities?.logProbability)
                        logprobs.topLogprobs.append(probabilities.map { p in
                            Dictionary(p.top.map { (tokenizer.decode([$0.token], renderSpecial: true), $0.logProbability) }, uniquingKeysWith: max)
                        })
                        logprobs.textOffset.append(offset)
                        offset += piece.count
                    }
                    if body.echo == true, top != nil {
                        for (id, probabilities) in zip(prompt, scored) { record(id, probabilities) }
                    }
                    var reason = Session.FinishReason.length
                    if maxTokens > 0 {
                        var options = GenerationOptions(maxTokens: maxTokens, sampling: sampling, stop: stop, logProbabilities: top)
                        if n > 1, let seed = sampling.seed { options.sampling.seed = seed &+ UInt64(index) }
                        for try await event in backend.generate(prompt: prompt, options: options) {
                            switch event {
                            case .token(let id, let piece, let probabilities):
                                text += piece
                                if id >= 0 { generated += 1 }
                                if top != nil, id >= 0 { record(id, probabilities) }
                            case .finished(_, let count, let finish):
                                completionTokens += count
                                reason = finish
                            }
                        }
                        try Task.checkCancellation()  // the client left: the events ended early
                    }
                    var output = verdict.output
                    text = try await output.screen(text)
                    choices.append(.init(text: text, index: choices.count, logprobs: top == nil ? nil : logprobs,
                                         finishReason: OpenAIResponses.finishReason(reason)))
                }
            }
        } catch {
            await meter.recordFailure(error, prompt: promptTokens, completion: generated)
            throw error
        }
        await meter.record(prompt: promptTokens, completion: completionTokens, status: 200)
        return try json(OpenAIResponses.Completion(id: OpenAIResponses.identifier("cmpl"), created: Int(Date().timeIntervalSince1970),
                                                   model: body.model, choices: choices,
                                                   usage: .init(promptTokens: promptTokens, completionTokens: completionTokens)))
    }

    /// Records one request's usage (written off the request path by ``UsageRecorder``, whose
    /// failures are logged, never turned into a failed answer).
    struct Meter: Sendable {
        let usage: UsageRecorder
        let limiter: RateLimiter
        let principal: Principal
        let model: String
        let endpoint: String
        let started: ContinuousClock.Instant
        let logger: Logger

        /// The token and its organisation: both limits apply.
        static func subjects(_ principal: Principal) -> [LimitSubject] {
            [.token(principal.token.id)] + (organisation(principal).map { [.organisation($0)] } ?? [])
        }

        static func organisation(_ principal: Principal) -> String? {
            principal.token.organisationID ?? principal.memberships.first?.organisationID
        }

        /// Records a request that failed after the model was asked: the tokens used so far, and
        /// status 499 when the client left (its task is then cancelled), else the error's status.
        func recordFailure(_ error: any Error, prompt: Int, completion: Int) async {
            await record(prompt: prompt, completion: completion, status: Task.isCancelled ? 499 : Int(APIError(error).status.code))
        }

        func record(prompt: Int, completion: Int, status: Int) async {
            limiter.consume(Self.subjects(principal), tokens: prompt + completion)
            InferenceMetrics.of(model: model, endpoint: endpoint).finished(prompt: prompt, completion: completion)
            let elapsed = ContinuousClock.now - started
            let milliseconds = Int(elapsed.components.seconds) * 1_000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
            let organisation = Self.organisation(principal)
            usage.record(UsageRecord(
                organisationID: organisation, userID: principal.user.id, tokenID: principal.token.id, model: model,
                backend: model, endpoint: endpoint, promptTokens: prompt, completionTokens: completion,
                latencyMilliseconds: milliseconds, status: status))
        }
    }

    func json(_ value: some Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

extension PolicyInput {
    /// The policy's view of a request: the caller, the backend's labels, and the data-subject and
    /// purpose headers.
    init(principal: Principal, request: Request, model: String, backend: BackendLabels, texts: [String]) {
        self.init(organisationID: OpenAIRoutes.Meter.organisation(principal), userID: principal.user.id, tokenID: principal.token.id,
                  model: model, backend: backend,
                  dataSubject: request.headers.first { $0.name.canonicalName == "x-nuri-data-subject" }?.value,
                  purpose: request.headers.first { $0.name.canonicalName == "x-nuri-purpose" }?.value, texts: texts)
    }
}
