import NuriGateway
@testable import NuriServer
import NuriTestSupport
import Testing

/// What a relayed completions stream looks like to the client: the editor's output for events
/// an OpenAI-compatible upstream sends (vLLM's and Nuri's shape: `text_completion` chunks, each
/// with its choice's `index`, a `finish_reason` at each choice's end, then a usage chunk).
@Suite("Relayed completions streams")
struct CompletionStreamEditorTests {
    /// Runs `events` (JSON texts) through an editor that masks "Seoul" and returns what the
    /// client gets, event by event, with the last usage seen.
    func relay(_ events: [String], clientWantsUsage: Bool = false) async throws -> (events: [JSONValue], usage: (Int, Int)?) {
        let editor = CompletionStreamEditor(output: CityMask(), name: "nuri-name", clientWantsUsage: clientWantsUsage)
        let (out, usage, _) = try await relayEvents(editor, events)
        return (out, usage)
    }
}

/// Runs `events` (JSON texts, each a range of a larger buffer as in the relay) through `editor`,
/// then `[DONE]`'s release; returns the events the client gets, the last usage seen, and
/// whether the editor saw the upstream fail.
func relayEvents(_ editor: some StreamEditor, _ events: [String]) async throws -> (events: [JSONValue], usage: (Int, Int)?, failed: Bool) {
    var editor = editor
    var out: [UInt8] = []
    var usage: (Int, Int)?
    for event in events {
        let bytes = Array(("xx" + event).utf8)
        if let counts = try await editor.edit(bytes, payload: 2..<bytes.count, into: &out) { usage = counts }
    }
    try await editor.release(into: &out)
    let text = String(decoding: out, as: UTF8.self)
    #expect(text.hasSuffix("\n\n") || text.isEmpty)
    let parsed = try text.split(separator: "\n\n").map { line in
        #expect(line.hasPrefix("data: "))
        return try JSONValue(parsing: Array(line.dropFirst(6).utf8))
    }
    return (parsed, usage, editor.upstreamFailed)
}

/// Whether an event carries a `usage` member.
func carriesUsage(_ event: JSONValue) -> Bool {
    if case .object(let fields) = event { return fields["usage"] != nil }
    return false
}

extension CompletionStreamEditorTests {

    func chunk(_ index: Int, _ text: String, finish: String? = nil) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"upstream-name","choices":[{"text":"\#(text)","index":\#(index),"logprobs":null,"finish_reason":\#(reason)}]}"#
    }

    /// Each choice's text, joined from the events, by index; and every event's model.
    func texts(_ events: [JSONValue]) -> (texts: [Int: String], models: Set<String>) {
        var texts: [Int: String] = [:], models: Set<String> = []
        for case .object(let event) in events {
            if case .string(let model)? = event["model"] { models.insert(model) }
            guard case .array(let choices)? = event["choices"] else { continue }
            for case .object(let choice) in choices {
                if case .number(let index)? = choice["index"], case .string(let text)? = choice["text"] { texts[Int(index), default: ""] += text }
            }
        }
        return (texts, models)
    }

    @Test("interleaved choices are screened each on its own: a word split across chunks is still masked, and nothing is lost")
    func interleaved() async throws {
        let (events, usage) = try await relay([
            chunk(0, " Se"), chunk(1, " The"), chunk(0, "oul is"), chunk(1, " capital is Se"), chunk(0, " big", finish: "length"),
            chunk(1, "oul"),
            #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"upstream-name","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":9,"total_tokens":16}}"#,
        ])
        let (texts, models) = texts(events)
        #expect(texts == [0: " [CITY] is big", 1: " The capital is [CITY]"])
        #expect(models == ["nuri-name"])
        #expect(usage.map { [$0.0, $0.1] } == [7, 9])
        // The usage chunk was not asked for; the second choice's held text came at the end, with its id.
        #expect(!events.contains(where: carriesUsage))
        let last = try #require(events.last)
        guard case .object(let fields) = last, case .array(let choices)? = fields["choices"] else { Issue.record("\(last)"); return }
        #expect(choices.count == 1 && fields["id"] == .string("cmpl-1") && fields["created"] == .number(1))
        #expect(!events.contains { "\($0)".contains("Seoul") })
    }

    @Test("the usage chunk reaches a client that asked for it; invalid events are dropped")
    func usageAndInvalid() async throws {
        let (events, usage) = try await relay([
            chunk(0, "Hello ", finish: "stop"), "{not json", "[1,2]",
            #"{"id":"cmpl-1","object":"text_completion","model":"upstream-name","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
        ], clientWantsUsage: true)
        #expect(events.count == 2)
        guard case .object(let last)? = events.last, case .object(let counts)? = last["usage"] else { Issue.record("\(events)"); return }
        #expect(counts["completion_tokens"] == .number(2) && last["model"] == .string("nuri-name"))
        #expect(usage.map { [$0.0, $0.1] } == [3, 2])
        #expect(texts(events).texts == [0: "Hello "])
    }
}

extension CompletionStreamEditorTests {
    @Test("text held back by an upstream that never finishes comes before the usage chunk; an error event marks the upstream failed")
    func heldTextAndErrors() async throws {
        let editor = CompletionStreamEditor(output: CityMask(), name: "nuri-name", clientWantsUsage: true)
        let (events, _, failed) = try await relayEvents(editor, [
            chunk(0, "in Se"), chunk(0, "oul"),
            #"{"id":"cmpl-1","object":"text_completion","model":"upstream-name","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
        ])
        #expect(texts(events).texts == [0: "in [CITY]"] && !failed)
        #expect(events.last.map(carriesUsage) == true && events.dropLast().allSatisfy { !carriesUsage($0) })
        let error = #"{"error":{"message":"the model crashed","type":"server_error","code":500}}"#
        let (passed, _, broke) = try await relayEvents(editor, [chunk(0, "Hello "), error])
        #expect(broke && passed.count == 2 && "\(passed[1])".contains("the model crashed"))
    }
}

@Suite("Relayed chat streams")
struct ChatStreamEditorTests {
    func chunk(_ delta: String, finish: String? = nil) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"upstream-name","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(reason)}]}"#
    }

    @Test("the model's name is Nuri's, content split across chunks is screened whole, the usage chunk only for a client that asked, an error event marks the upstream failed")
    func chat() async throws {
        let usage = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"upstream-name","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4}}"#
        let stream = [chunk(#"{"role":"assistant","content":""}"#), chunk(#"{"content":"It is Se"}"#), chunk(#"{"content":"oul, the capital"}"#),
                      chunk("{}", finish: "stop"), usage]
        for wantsUsage in [false, true] {
            let editor = ChatStreamEditor(output: CityMask(), nameJSON: Array(#""nuri-name""#.utf8), clientWantsUsage: wantsUsage)
            let (events, counts, failed) = try await relayEvents(editor, stream)
            var content = "", models: Set<String> = []
            for case .object(let event) in events {
                if case .string(let model)? = event["model"] { models.insert(model) }
                if case .array(let choices)? = event["choices"], case .object(let choice)? = choices.first,
                   case .object(let delta)? = choice["delta"], case .string(let text)? = delta["content"] { content += text }
            }
            #expect(content == "It is [CITY], the capital" && models == ["nuri-name"] && !failed)
            #expect(counts.map { [$0.0, $0.1] } == [5, 4])
            #expect(events.contains(where: carriesUsage) == wantsUsage && events.count == (wantsUsage ? 5 : 4))
        }
        let editor = ChatStreamEditor(output: CityMask(), nameJSON: Array(#""nuri-name""#.utf8), clientWantsUsage: false)
        let (_, _, failed) = try await relayEvents(editor, [chunk(#"{"content":"Hi "}"#), #"{"error":{"message":"out of memory"}}"#])
        #expect(failed)
    }
}

extension CompletionStreamEditorTests {
    func chunk(_ index: Int, tokens: [String], finish: String? = nil) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        let quoted = tokens.map { #""\#($0)""# }.joined(separator: ",")
        let logprobs = #"{"tokens":[\#(quoted)],"token_logprobs":[\#(tokens.map { _ in "-0.5" }.joined(separator: ","))],"top_logprobs":[\#(tokens.map { _ in "null" }.joined(separator: ","))],"text_offset":[\#(tokens.indices.map(String.init).joined(separator: ","))]}"#
        return #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"upstream-name","choices":[{"text":"\#(tokens.joined())","index":\#(index),"logprobs":\#(logprobs),"finish_reason":\#(reason)}]}"#
    }

    @Test("an upstream's log probabilities go out with their text, and never for text the filter masked")
    func logprobs() async throws {
        let editor = CompletionStreamEditor(output: CityMask(), name: "nuri-name", clientWantsUsage: false)
        let (events, _, _) = try await relayEvents(editor, [
            chunk(0, tokens: [" It", " is"]), chunk(0, tokens: [" Se"]), chunk(0, tokens: ["oul", " or"]), chunk(0, tokens: [" Busan", "."], finish: "stop"),
        ])
        #expect(texts(events).texts == [0: " It is [CITY] or Busan."])
        var tokens: [String] = []
        for case .object(let event) in events {
            guard case .array(let choices)? = event["choices"], case .object(let choice)? = choices.first,
                  case .object(let logprobs)? = choice["logprobs"], case .array(let list)? = logprobs["tokens"] else { continue }
            for case .string(let token) in list { tokens.append(token) }
            #expect([logprobs["token_logprobs"], logprobs["text_offset"]].allSatisfy { if case .array(let values)? = $0 { values.count == list.count } else { false } })
        }
        // " or" goes too: its space left with the masked word, in the text the filter changed.
        #expect(tokens == [" It", " is", " Busan", "."])
    }
}

extension ChatStreamEditorTests {
    func chunk(tokens: [String]) -> String {
        let entries = tokens.map { #"{"token":"\#($0)","logprob":-0.5,"bytes":null,"top_logprobs":[]}"# }.joined(separator: ",")
        return #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"upstream-name","choices":[{"index":0,"delta":{"content":"\#(tokens.joined())"},"logprobs":{"content":[\#(entries)]},"finish_reason":null}]}"#
    }

    /// The tokens of every event's log probabilities, in order.
    func tokens(_ events: [JSONValue]) -> [String] {
        var tokens: [String] = []
        for case .object(let event) in events {
            guard case .array(let choices)? = event["choices"], case .object(let choice)? = choices.first,
                  case .object(let logprobs)? = choice["logprobs"], case .array(let content)? = logprobs["content"] else { continue }
            for case .object(let entry) in content { if case .string(let token)? = entry["token"] { tokens.append(token) } }
        }
        return tokens
    }

    @Test("an upstream's log probabilities go out with their text, never for masked text, and not at all when the client did not ask")
    func logprobs() async throws {
        let stream = [chunk(tokens: [" It", " is"]), chunk(tokens: [" Se"]), chunk(tokens: ["oul", "."]), chunk(#"{}"#, finish: "stop")]
        let asked = ChatStreamEditor(output: CityMask(), nameJSON: Array(#""nuri-name""#.utf8), clientWantsUsage: false,
                                     clientWantsLogprobs: true)
        let (events, _, _) = try await relayEvents(asked, stream)
        #expect(tokens(events) == [" It", " is"])  // " Se", "oul" and "." (the masked word's end) never go out
        #expect(!"\(events)".contains("Seoul") && "\(events)".contains("[CITY]."))
        let unasked = ChatStreamEditor(output: CityMask(), nameJSON: Array(#""nuri-name""#.utf8), clientWantsUsage: false)
        let (plain, _, _) = try await relayEvents(unasked, stream)
        #expect(tokens(plain).isEmpty && !"\(plain)".contains("\"oul\""))
    }
}
