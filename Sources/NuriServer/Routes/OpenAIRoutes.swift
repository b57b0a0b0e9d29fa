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
            let tokenizer = backend.tokenizer, model = body.model
            let meter = Meter(usage: usage, limiter: limiter, principal: principal, model: model, endpoint: "chat.completions", started: started, logger: context.logger)
            return eventStream(meter: meter) { stream, tally in
                tally.prompt = prompt.count
                var timer = TokenTimer(metrics: InferenceMetrics.of(model: model, endpoint: "chat.completions"), started: started)
                var output = verdict.output
                var screened = ScreenedLogProbs<OpenAIResponses.ChatLogProbs.Entry>()
                func send(_ choice: OpenAIResponses.ChatCompletionChunk.Choice) throws {
                    try stream.send(OpenAIResponses.ChatCompletionChunk(id: id, created: created, model: model, choices: [choice], usage: nil))
                }
                /// Text the filter released, with the entries of the tokens it carries whole and unchanged.
                func send(_ text: String, _ entries: [OpenAIResponses.ChatLogProbs.Entry]) throws {
                    guard !text.isEmpty || !entries.isEmpty else { return }
                    try send(.init(index: 0, delta: .init(role: nil, content: text), finishReason: nil,
                                   logprobs: entries.isEmpty ? nil : OpenAIResponses.ChatLogProbs(content: entries)))
                }
                try send(.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil, logprobs: nil))
                for try await event in events {
                    switch event {
                    case .token(let token, let text, let probabilities):
                        if token >= 0 {
                            timer.token()
                            tally.completion += 1  // what a client that leaves is charged
                        }
                        screened.generated(text, probabilities.map { OpenAIResponses.ChatLogProbs.entry($0, tokenizer: tokenizer) })
                        let released = try await output.pass(text)
                        try send(released, screened.released(released, held: output.heldScalars))
                    case .finished(let promptTokens, let completionTokens, let reason):
                        (tally.prompt, tally.completion) = (promptTokens, completionTokens)
                        tally.finished = true
                        let rest = try await output.finish()
                        try send(rest, screened.released(rest, held: 0))
                        try send(.init(index: 0, delta: .init(role: nil, content: nil), finishReason: OpenAIResponses.finishReason(reason), logprobs: nil))
                        if includeUsage {
                            try stream.send(OpenAIResponses.ChatCompletionChunk(id: id, created: created, model: model, choices: [],
                                                                                usage: .init(promptTokens: promptTokens, completionTokens: completionTokens)))
                        }
                    }
                }
            }
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
                let raw = text
                text = try await output.screen(text)
                // The tokens would show what the filter changed (see ScreenedLogProbs): withheld.
                if text != raw { logprobs = [] }
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
        let tokenizer = backend.tokenizer, echo = body.echo == true
        let maxTokens = try prompts.map { prompt in
            try RequestValidation.maxTokens(body.maxTokens ?? 16, param: "max_tokens", promptTokens: prompt.count,
                                            contextLength: backend.contextLength, allowZero: echo)
        }
        try await limiter.admit(Meter.subjects(principal))
        let meter = Meter(usage: usage, limiter: limiter, principal: principal, model: body.model, endpoint: "completions",
                          started: started, logger: context.logger)
        let id = OpenAIResponses.identifier("cmpl"), created = Int(Date().timeIntervalSince1970), model = body.model
        // The options of a prompt's choice `index` (seeded choices differ from each other).
        let options: @Sendable (_ maxTokens: Int, _ index: Int) -> GenerationOptions = { maxTokens, index in
            var options = GenerationOptions(maxTokens: maxTokens, sampling: sampling, stop: stop, logProbabilities: top)
            if n > 1, let seed = sampling.seed { options.sampling.seed = seed &+ UInt64(index) }
            return options
        }
        let inputs = prompts  // a constant, for the stream's task

        if body.stream == true {
            // Choice `p × n + i` is the i-th answer to prompt p, as OpenAI numbers them; they
            // stream one after the other, each ending with its finish reason.
            let includeUsage = body.streamOptions?.includeUsage == true
            return eventStream(meter: meter) { stream, tally in
                var timer = TokenTimer(metrics: InferenceMetrics.of(model: model, endpoint: "completions"), started: started)
                func send(_ text: String, _ index: Int, _ logprobs: OpenAIResponses.Completion.LogProbs? = nil, finish: String? = nil) throws {
                    try stream.send(OpenAIResponses.Completion(id: id, created: created, model: model, choices: [
                        .init(text: text, index: index, logprobs: logprobs, finishReason: finish)], usage: nil))
                }
                for (p, prompt) in inputs.enumerated() {
                    try Task.checkCancellation()  // the client left: no more prompts are scored or answered
                    tally.prompt += prompt.count
                    let scored = echo && top != nil ? try await backend.scorePrompt(prompt, top: top ?? 0) : []
                    for i in 0..<n {
                        try Task.checkCancellation()  // the client left between choices
                        let index = p * n + i
                        var output = verdict.output, offset = 0
                        var screened = ScreenedLogProbs<OpenAIResponses.Completion.LogProbs>()
                        if echo {
                            // The prompt's own tokens go out with the echo: they are the client's text.
                            var logprobs = OpenAIResponses.Completion.LogProbs()
                            var at = 0
                            for (token, probabilities) in zip(prompt, scored) { logprobs.append(token, probabilities, offset: &at, tokenizer: tokenizer) }
                            let text = tokenizer.decode(prompt)
                            offset = at
                            screened.generated(text, nil)
                            let released = try await output.pass(text)
                            _ = screened.released(released, held: output.heldScalars)
                            try send(released, index, top == nil ? nil : logprobs)
                        }
                        var reason = Session.FinishReason.length
                        var counted = 0
                        if maxTokens[p] > 0 {
                            for try await event in backend.generate(prompt: prompt, options: options(maxTokens[p], i)) {
                                switch event {
                                case .token(let token, let piece, let probabilities):
                                    var entry: OpenAIResponses.Completion.LogProbs?
                                    if token >= 0 {
                                        timer.token()
                                        tally.completion += 1  // what a client that leaves is charged
                                        counted += 1
                                        if top != nil {
                                            entry = OpenAIResponses.Completion.LogProbs()
                                            entry?.append(token, probabilities, offset: &offset, tokenizer: tokenizer)
                                        }
                                    }
                                    screened.generated(piece, entry)
                                    let text = try await output.pass(piece)
                                    let logprobs = OpenAIResponses.Completion.LogProbs(joining: screened.released(text, held: output.heldScalars))
                                    guard !text.isEmpty || logprobs != nil else { continue }
                                    try send(text, index, logprobs)
                                case .finished(_, let count, let finish):
                                    tally.completion += count - counted
                                    reason = finish
                                }
                            }
                            try Task.checkCancellation()  // the client left: the events ended early
                        }
                        let rest = try await output.finish()
                        try send(rest, index, OpenAIResponses.Completion.LogProbs(joining: screened.released(rest, held: 0)),
                                 finish: OpenAIResponses.finishReason(reason))
                    }
                }
                try Task.checkCancellation()  // the client left during the last choice's end
                tally.finished = true
                if includeUsage {
                    try stream.send(OpenAIResponses.Completion(id: id, created: created, model: model, choices: [],
                                                                   usage: .init(promptTokens: tally.prompt, completionTokens: tally.completion)))
                }
            }
        }

        var choices: [OpenAIResponses.Completion.Choice] = []
        var promptTokens = 0, completionTokens = 0, generated = 0
        do {
            for (p, prompt) in prompts.enumerated() {
                promptTokens += prompt.count
                let scored = echo && top != nil ? try await backend.scorePrompt(prompt, top: top ?? 0) : []
                for index in 0..<n {
                    var text = echo ? tokenizer.decode(prompt) : ""
                    var logprobs = OpenAIResponses.Completion.LogProbs()
                    var offset = 0
                    if echo, top != nil {
                        for (id, probabilities) in zip(prompt, scored) { logprobs.append(id, probabilities, offset: &offset, tokenizer: tokenizer) }
                    }
                    var reason = Session.FinishReason.length
                    if maxTokens[p] > 0 {
                        for try await event in backend.generate(prompt: prompt, options: options(maxTokens[p], index)) {
                            switch event {
                            case .token(let id, let piece, let probabilities):
                                text += piece
                                if id >= 0 { generated += 1 }
                                if top != nil, id >= 0 { logprobs.append(id, probabilities, offset: &offset, tokenizer: tokenizer) }
                            case .finished(_, let count, let finish):
                                completionTokens += count
                                reason = finish
                            }
                        }
                        try Task.checkCancellation()  // the client left: the events ended early
                    }
                    var output = verdict.output
                    let raw = text
                    text = try await output.screen(text)
                    // The generated tokens would show what the filter changed (see ScreenedLogProbs):
                    // withheld; the prompt's, with the echo, are the client's own text.
                    if text != raw { logprobs.keepFirst(echo ? prompt.count : 0) }
                    choices.append(.init(text: text, index: choices.count, logprobs: top == nil ? nil : logprobs,
                                         finishReason: OpenAIResponses.finishReason(reason)))
                }
            }
        } catch {
            await meter.recordFailure(error, prompt: promptTokens, completion: generated)
            throw error
        }
        await meter.record(prompt: promptTokens, completion: completionTokens, status: 200)
        return try json(OpenAIResponses.Completion(id: id, created: created, model: model, choices: choices,
                                                   usage: .init(promptTokens: promptTokens, completionTokens: completionTokens)))
    }

    /// What a streamed answer has used so far, and whether it reached its end.
    struct StreamTally: Sendable {
        var prompt = 0
        var completion = 0
        var finished = false
    }

    /// Sends a streamed answer's chunks, each as a `data:` event of its JSON.
    struct EventSender: Sendable {
        let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
        let encoder: JSONEncoder

        func send(_ chunk: some Encodable) throws {
            var data = Data("data: ".utf8)
            data.append(try encoder.encode(chunk))
            data.append(contentsOf: [0x0A, 0x0A])
            continuation.yield(ByteBuffer(bytes: data))
        }
    }

    /// A streamed answer (`text/event-stream`): `produce` sends its chunks and counts its tokens;
    /// then its usage is recorded (status 200 if it reached its end, 499 if the client left) and
    /// `data: [DONE]` ends it. A client that hangs up cancels `produce`, which stops the
    /// generation and frees its slot. A failure after the headers went out is reported in the
    /// stream as an error event, as OpenAI does.
    func eventStream(meter: Meter, _ produce: @escaping @Sendable (EventSender, inout StreamTally) async throws -> Void) -> Response {
        let encoder = self.encoder
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let task = Task {
                var tally = StreamTally()
                do {
                    try await produce(EventSender(continuation: continuation, encoder: encoder), &tally)
                    // Recorded before [DONE], so a client that reads usage right after sees it.
                    await meter.record(prompt: tally.prompt, completion: tally.completion, status: tally.finished ? 200 : 499)
                    continuation.yield(ByteBuffer(string: "data: [DONE]\n\n"))
                } catch {
                    await meter.recordFailure(error, prompt: tally.prompt, completion: tally.completion)
                    let apiError = APIError(error)
                    let event = APIError.Body(error: .init(message: apiError.message, type: apiError.type, param: nil, code: nil))
                    var data = Data("data: ".utf8)
                    data.append((try? encoder.encode(event)) ?? Data(#"{"error":{"message":"the stream failed","type":"server_error","param":null,"code":null}}"#.utf8))
                    data.append(contentsOf: [0x0A, 0x0A])
                    continuation.yield(ByteBuffer(bytes: data))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return Response(status: .ok, headers: RemoteRelay.streamHeaders, body: ResponseBody(asyncSequence: stream))
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
