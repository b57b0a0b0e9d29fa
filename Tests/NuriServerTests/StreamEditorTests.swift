import NuriGateway
@testable import NuriServer
import Testing

/// What a relayed completions stream looks like to the client: the editor's output for events
/// an OpenAI-compatible upstream sends (vLLM's and Nuri's shape: `text_completion` chunks, each
/// with its choice's `index`, a `finish_reason` at each choice's end, then a usage chunk).
@Suite("Relayed completions streams")
struct CompletionStreamEditorTests {
    /// Runs `events` (JSON texts) through an editor that masks "Seoul" and returns what the
    /// client gets, event by event, with the last usage seen.
    func relay(_ events: [String], clientWantsUsage: Bool = false) async throws -> (events: [JSONValue], usage: (Int, Int)?) {
        var editor = CompletionStreamEditor(output: RecordingPolicy.CityMask(), name: "nuri-name", clientWantsUsage: clientWantsUsage)
        var out: [UInt8] = []
        var usage: (Int, Int)?
        for event in events {
            let bytes = Array(("xx" + event).utf8)  // the event's text is a range of a larger buffer
            if let counts = try await editor.edit(bytes, payload: 2..<bytes.count, into: &out) { usage = counts }
        }
        try await editor.release(into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasSuffix("\n\n") || text.isEmpty)
        let parsed = try text.split(separator: "\n\n").map { line in
            #expect(line.hasPrefix("data: "))
            return try JSONValue(parsing: Array(line.dropFirst(6).utf8))
        }
        return (parsed, usage)
    }

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
        let last = try #require(events.last)
        guard case .object(let fields) = last, case .array(let choices)? = fields["choices"] else { Issue.record("\(last)"); return }
        #expect(choices.count == 1 && fields["id"] == .string("cmpl-1") && fields["usage"] == nil)
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
