import NuriGateway

/// How ``RemoteRelay`` changes a streamed answer's events on their way to the client.
protocol StreamEditor: Sendable {
    /// Appends the event whose JSON text is `payload` (a range of `bytes`) to `out` as a whole
    /// `data: …` event, changed, or nothing to drop it; returns the upstream's token counts when
    /// the event carries a `usage` object.
    mutating func edit(_ bytes: [UInt8], payload: Range<Int>, into out: inout [UInt8]) async throws -> (Int, Int)?
    /// At the usage chunk and at `[DONE]`: appends events with the text the output filter still
    /// holds (an upstream that never sent a finish reason), so that it comes before the usage.
    mutating func release(into out: inout [UInt8]) async throws
    /// Whether the upstream sent an error event (vLLM sends one, then `[DONE]`, when a stream
    /// fails after its head): the request is then metered as failed, not as answered.
    var upstreamFailed: Bool { get }
}

/// A chat stream's events, read in place: Nuri's model name, and the first choice's content
/// through the output filter (a remote chat stream has one choice: `n` > 1 is refused). Invalid
/// JSON, or a `choices` that is not a list, is dropped; so is the usage chunk when the client
/// did not ask for it. An event without `choices` (an error event) is passed on as it came.
///
/// Log probabilities, when the client asked for them, go out with the text they belong to
/// (``ScreenedLogProbs``); when it did not, an upstream's are not passed on.
struct ChatStreamEditor: StreamEditor {
    var output: any OutputFilter
    let nameJSON: [UInt8]
    let clientWantsUsage: Bool
    let clientWantsLogprobs: Bool
    var lastID: [UInt8] = Array("null".utf8)
    var chunks = ChatChunkReader()
    var screened = ScreenedLogProbs<JSONValue>()
    private(set) var upstreamFailed = false

    init(output: any OutputFilter, nameJSON: [UInt8], clientWantsUsage: Bool, clientWantsLogprobs: Bool = false) {
        self.output = output
        self.nameJSON = nameJSON
        self.clientWantsUsage = clientWantsUsage
        self.clientWantsLogprobs = clientWantsLogprobs
    }

    /// The tokens and entries of a chunk's `logprobs` (`{"content": [{"token": …}, …]}`); nil
    /// for anything else.
    static func entries(_ chunk: [UInt8], _ range: Range<Int>?) -> [(text: String, entry: JSONValue)]? {
        guard let range, case .object(let logprobs)? = try? JSONValue(parsing: chunk[range]),
              case .array(let content)? = logprobs["content"] else { return nil }
        var found: [(text: String, entry: JSONValue)] = []
        for entry in content {
            guard case .object(let fields) = entry, case .string(let token)? = fields["token"] else { return nil }
            found.append((token, entry))
        }
        return found
    }

    /// The `logprobs` of released entries.
    static func logprobs(_ entries: [JSONValue]) -> JSONValue {
        entries.isEmpty ? .null : .object(["content": .array(entries)])
    }

    mutating func edit(_ chunk: [UInt8], payload: Range<Int>, into out: inout [UInt8]) async throws -> (Int, Int)? {
        guard let top = try? chunks.read(chunk, range: payload) else { return nil }
        var edits = JSONEdits()
        var counts: (Int, Int)?
        if let model = top.model, !chunk[model].elementsEqual(nameJSON) { edits.replace(model, with: nameJSON) }
        if let id = top.id, !lastID.elementsEqual(chunk[id]) { lastID = Array(chunk[id]) }
        if top.choiceCount == nil, (try? JSONMembers(chunk, range: top.range))?["error"] != nil { upstreamFailed = true }
        if let usage = top.usage, JSONMembers.kind(chunk, range: usage) == .object {
            counts = try RemoteRelay.tokens(chunk, usage: usage)
            if top.choiceCount == 0 {
                try await release(into: &out)
                if !clientWantsUsage { return counts }
            }
        }
        if let deltaRange = top.delta {
            // Text the screen holds back goes out with a later chunk; the last one (with a
            // finish_reason) carries the rest.
            let piece = try top.content.flatMap { range throws in try JSONMembers.string(chunk, range: range) }
            if clientWantsLogprobs { screened.generated(piece ?? "", tokens: Self.entries(chunk, top.logprobs)) }
            var content = ""
            if let piece { content = try await output.pass(piece) }
            if let reason = top.finishReason, JSONMembers.kind(chunk, range: reason) != .null {
                content += try await output.finish()
            }
            if let contentRange = top.content {
                if content != piece { edits.replace(contentRange, with: .string(content)) }
            } else if !content.isEmpty {
                RemoteRelay.insert(member: "content", value: .string(content), intoObjectAt: deltaRange, isEmpty: top.deltaIsEmpty, edits: &edits)
            }
            if clientWantsLogprobs {
                let released = screened.released(content, held: output.heldScalars)
                if let range = top.logprobs {
                    edits.replace(range, with: Self.logprobs(released))
                } else if !released.isEmpty, let choice = top.choice {
                    RemoteRelay.insert(member: "logprobs", value: Self.logprobs(released), intoObjectAt: choice, isEmpty: false, edits: &edits)
                }
            }
        }
        if !clientWantsLogprobs, let range = top.logprobs, JSONMembers.kind(chunk, range: range) != .null {
            edits.replace(range, with: .null)  // not asked for: never passed on (it could show held text)
        }
        out.append(contentsOf: "data: ".utf8)
        edits.apply(to: chunk, range: top.range, into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return counts
    }

    mutating func release(into out: inout [UInt8]) async throws {
        let rest = try await output.finish()
        let released = clientWantsLogprobs ? screened.released(rest, held: 0) : []
        guard !rest.isEmpty || !released.isEmpty else { return }
        out.append(contentsOf: #"data: {"id":"#.utf8)
        out.append(contentsOf: lastID)
        out.append(contentsOf: #","object":"chat.completion.chunk","model":"#.utf8)
        out.append(contentsOf: nameJSON)
        out.append(contentsOf: #","choices":[{"index":0,"delta":{"content":"#.utf8)
        JSONValue.string(rest).write(to: &out)
        out.append(contentsOf: #"},"logprobs":"#.utf8)
        Self.logprobs(released).write(to: &out)
        out.append(contentsOf: #","finish_reason":null}]}"#.utf8 + [0x0A, 0x0A])
    }
}

/// A completions stream's events: Nuri's model name, and each choice's text through its own
/// output filter (choices of several prompts, or `n` of them, arrive interleaved or in turn),
/// its tokens' log probabilities released with their text (``ScreenedLogProbs``).
/// Not a hot path, so each event is read whole; invalid JSON, or an event that is not an
/// object, is dropped, and so is the usage chunk when the client did not ask for it.
struct CompletionStreamEditor: StreamEditor {
    let output: any OutputFilter
    let name: String
    let clientWantsUsage: Bool
    /// Each choice's filter, by the choice's index, from its first piece on.
    var filters: [Int: any OutputFilter] = [:]
    /// Each choice's log probabilities waiting for their text.
    var screens: [Int: ScreenedLogProbs<TokenEntry>] = [:]
    /// The choices that have had their finish reason (their filter is done).
    var finished: Set<Int> = []
    var lastID: JSONValue = .null
    var lastCreated: JSONValue = .null
    private(set) var upstreamFailed = false

    /// One token's members of a completions `logprobs` object.
    struct TokenEntry: Sendable {
        let token: JSONValue, logprob: JSONValue, top: JSONValue, offset: JSONValue
    }

    /// The `logprobs` object of `entries` (null for none).
    static func logprobs(_ entries: [TokenEntry]) -> JSONValue {
        guard !entries.isEmpty else { return .null }
        return .object(["tokens": .array(entries.map(\.token)), "token_logprobs": .array(entries.map(\.logprob)),
                        "top_logprobs": .array(entries.map(\.top)), "text_offset": .array(entries.map(\.offset))])
    }

    /// The tokens and entries of a chunk's `logprobs`; nil for anything else.
    static func entries(_ value: JSONValue?) -> [(text: String, entry: TokenEntry)]? {
        guard case .object(let fields)? = value, case .array(let tokens)? = fields["tokens"] else { return nil }
        func list(_ name: String) -> [JSONValue] {
            if case .array(let values)? = fields[name], values.count == tokens.count { return values }
            return Array(repeating: .null, count: tokens.count)
        }
        let logprobs = list("token_logprobs"), tops = list("top_logprobs"), offsets = list("text_offset")
        var found: [(text: String, entry: TokenEntry)] = []
        for (index, token) in tokens.enumerated() {
            guard case .string(let text) = token else { return nil }
            found.append((text, TokenEntry(token: token, logprob: logprobs[index], top: tops[index], offset: offsets[index])))
        }
        return found
    }

    init(output: any OutputFilter, name: String, clientWantsUsage: Bool) {
        self.output = output
        self.name = name
        self.clientWantsUsage = clientWantsUsage
    }

    mutating func edit(_ bytes: [UInt8], payload: Range<Int>, into out: inout [UInt8]) async throws -> (Int, Int)? {
        guard case .object(var chunk)? = try? JSONValue(parsing: bytes[payload]) else { return nil }
        var counts: (Int, Int)?
        if case .object? = chunk["usage"] { counts = RemoteRelay.tokens(in: chunk["usage"]) }
        if let id = chunk["id"] { lastID = id }
        if let created = chunk["created"] { lastCreated = created }
        if chunk["error"] != nil { upstreamFailed = true }
        if chunk["model"] != nil { chunk["model"] = .string(name) }
        if case .array(var choices)? = chunk["choices"] {
            if choices.isEmpty, counts != nil {
                try await release(into: &out)
                if !clientWantsUsage { return counts }
            }
            for position in choices.indices {
                guard case .object(var choice) = choices[position] else { continue }
                let index = RemoteRelay.count(choice["index"])
                var filter = filters[index] ?? output
                var screened = screens[index] ?? ScreenedLogProbs()
                var text = ""
                if case .string(let piece)? = choice["text"] {
                    screened.generated(piece, tokens: Self.entries(choice["logprobs"]))
                    text = try await filter.pass(piece)
                }
                if let reason = choice["finish_reason"], reason != .null, !finished.contains(index) {
                    text += try await filter.finish()
                    finished.insert(index)
                }
                let released = screened.released(text, held: filter.heldScalars)
                filters[index] = filter
                screens[index] = screened
                if choice["text"] != nil || !text.isEmpty { choice["text"] = .string(text) }
                if choice["logprobs"] != nil || !released.isEmpty { choice["logprobs"] = Self.logprobs(released) }
                choices[position] = .object(choice)
            }
            chunk["choices"] = .array(choices)
        }
        out.append(contentsOf: "data: ".utf8)
        JSONValue.object(chunk).write(to: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        return counts
    }

    mutating func release(into out: inout [UInt8]) async throws {
        for index in filters.keys.sorted() where !finished.contains(index) {
            guard var filter = filters[index] else { continue }
            let rest = try await filter.finish()
            finished.insert(index)
            let released = screens[index]?.released(rest, held: 0) ?? []
            guard !rest.isEmpty || !released.isEmpty else { continue }
            let choice: JSONValue = .object(["text": .string(rest), "index": .number(Double(index)), "logprobs": Self.logprobs(released),
                                             "finish_reason": .null])
            let chunk: JSONValue = .object(["id": lastID, "object": .string("text_completion"), "created": lastCreated, "model": .string(name),
                                            "choices": .array([choice])])
            out.append(contentsOf: "data: ".utf8)
            chunk.write(to: &out)
            out.append(contentsOf: [0x0A, 0x0A])
        }
    }
}
