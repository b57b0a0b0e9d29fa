import Foundation
import NuriGateway
import Testing

/// The relay reads a few members of each request, answer and stream chunk and passes the rest on
/// byte for byte: the ranges must be exact, invalid text must be refused as the full parser
/// refuses it, and edits must give valid JSON with only the edited values changed.
@Suite("JSONMembers and JSONEdits")
struct JSONMembersTests {
    static let chunk = #"{"id":"c-1","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{"content":"Se\"oul"},"finish_reason":null}],"usage":null}"#

    @Test("members are found with the exact text of their values")
    func ranges() throws {
        let bytes = Array(Self.chunk.utf8)
        let top = try JSONMembers(bytes)
        #expect(top.members.map(\.key) == ["id", "object", "model", "choices", "usage"])
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: bytes[$0], as: UTF8.self) } }
        #expect(text(top["model"]) == #""llama""#)
        #expect(text(top["usage"]) == "null")
        #expect(top.range == 0..<bytes.count)
        let choices = try JSONMembers.elements(bytes, range: try #require(top["choices"]))
        #expect(choices.count == 1)
        let choice = try JSONMembers(bytes, range: choices[0])
        let delta = try JSONMembers(bytes, range: try #require(choice["delta"]))
        #expect(try JSONMembers.value(bytes, range: try #require(delta["content"])) == .string("Se\"oul"))
        #expect(JSONMembers.kind(bytes, range: try #require(choice["finish_reason"])) == .null)
        #expect(try JSONMembers.elements(Array("[ ]".utf8), range: 0..<3).isEmpty)
    }

    @Test("a repeated name gives its last value, as parsing into a dictionary does")
    func repeated() throws {
        let bytes = Array(#"{"a":1,"a":2}"#.utf8)
        #expect(try JSONMembers.value(bytes, range: try #require(try JSONMembers(bytes)["a"])) == .number(2))
    }

    @Test("text the full parser refuses is refused", arguments: [
        #"{"a":1"#, #"{"a":01}"#, #"{"a":"x\q"}"#, #"{"a":[1,]}"#, #"{"a":1} x"#, #"{"a":"\ud800"}"#, #"{"a":1e999}"#, #"{"a":-}"#, #"{"a":1.}"#, "{\"a\":\"\u{01}\"}", "",
    ])
    func invalid(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Array(text.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONMembers(Array(text.utf8)) }
    }

    @Test("only an object has members", arguments: ["[1]", #""text""#, "1", "null"])
    func notObject(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONMembers(Array(text.utf8)) }
    }

    @Test("edits change only their values; an insertion adds a member; the result parses")
    func edits() throws {
        let bytes = Array(Self.chunk.utf8)
        let top = try JSONMembers(bytes)
        var edits = JSONEdits()
        edits.replace(try #require(top["model"]), with: .string("nuri-model"))
        edits.replace(top.range.lowerBound + 1..<top.range.lowerBound + 1, with: Array(#""added":true,"#.utf8))
        var out: [UInt8] = []
        edits.apply(to: bytes, into: &out)
        guard case .object(var edited) = try JSONValue(parsing: out), case .object(var original) = try JSONValue(parsing: bytes) else {
            Issue.record("not objects")
            return
        }
        #expect(edited.removeValue(forKey: "added") == .bool(true))
        #expect(edited.removeValue(forKey: "model") == .string("nuri-model"))
        original["model"] = nil
        #expect(edited == original)
        // Untouched text stays byte for byte.
        #expect(String(decoding: out, as: UTF8.self).hasSuffix(#""choices":[{"index":0,"delta":{"content":"Se\"oul"},"finish_reason":null}],"usage":null}"#))
    }

    @Test("whitespace around and inside is allowed; the object's range excludes the outside")
    func whitespace() throws {
        let bytes = Array("  {\n \"a\" : [ 1 , 2 ] }\n".utf8)
        let top = try JSONMembers(bytes)
        #expect(String(decoding: bytes[top.range], as: UTF8.self) == "{\n \"a\" : [ 1 , 2 ] }")
        #expect(try JSONMembers.elements(bytes, range: try #require(top["a"])).count == 2)
    }

    /// What ChatChunkMembers must find, read the long way with JSONMembers (last member wins).
    static func expected(_ bytes: [UInt8]) throws -> [String: String] {
        func text(_ range: Range<Int>?) -> String { range.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "-" }
        let top = try JSONMembers(bytes)
        var found = ["id": text(top["id"]), "model": text(top["model"]), "usage": text(top["usage"]), "choices": "-",
                     "delta": "-", "content": "-", "finish": "-", "deltaEmpty": "true"]
        if let choices = top["choices"] {
            let elements = try JSONMembers.elements(bytes, range: choices)
            found["choices"] = "\(elements.count)"
            if let first = elements.first, JSONMembers.kind(bytes, range: first) == .object {
                let choice = try JSONMembers(bytes, range: first)
                found["finish"] = text(choice["finish_reason"])
                if let delta = choice["delta"], JSONMembers.kind(bytes, range: delta) == .object {
                    let members = try JSONMembers(bytes, range: delta)
                    found["delta"] = text(delta)
                    found["content"] = text(members["content"])
                    found["deltaEmpty"] = "\(members.members.isEmpty)"
                }
            }
        }
        return found
    }

    @Test("a stream chunk's members are found in one pass as JSONMembers finds them", arguments: [
        chunk,
        #"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"model":"m"}"#,
        #"{"id":"c","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        #"{"id":"c","model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#,
        #"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}"#,
        #"{"choices":[{"delta":"text","finish_reason":"stop"}]}"#,
        #"{"choices":[1,{"delta":{"content":"b"}}]}"#,
        #"{"model":"a","model":"b","choices":[{"delta":{"content":"x"}}],"choices":[{"delta":{"role":"r"}}]}"#,
        #"{"choices":[{"delta":{"content":"x","content":null},"delta":{"role":"r"},"finish_reason":"length"}]}"#,
        #"{"mod\u0065l":"escaped","ch\u006fices":[{"d\u0065lta":{"c\u006fntent":"y"}}]}"#,
        " { \"id\" : \"c\" , \"choices\" : [ { \"delta\" : { \"content\" : \"z\" } } ] } ",
        #"{"id":1,"choices":[{"delta":{"content":["part"]},"finish_reason":null,"logprobs":{"content":[{"token":"a","logprob":-0.5e1}]}}]}"#,
    ])
    func chunkMembers(json: String) throws {
        let bytes = Array(json.utf8)
        let members = try ChatChunkMembers(bytes, range: bytes.indices)
        func text(_ range: Range<Int>?) -> String { range.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "-" }
        let found = ["id": text(members.id), "model": text(members.model), "usage": text(members.usage),
                     "choices": members.choiceCount.map { "\($0)" } ?? "-", "delta": text(members.delta), "content": text(members.content),
                     "finish": text(members.finishReason), "deltaEmpty": "\(members.deltaIsEmpty)"]
        #expect(found == (try Self.expected(bytes)))
        #expect(members.range == (try JSONMembers(bytes)).range)
    }

    @Test("a stream chunk is read only if it is valid JSON with a list of choices", arguments: [
        #"{"a":1"#, #"{"a":01}"#, #"{"a":"x\q"}"#, #"{"a":[1,]}"#, #"{"a":1} x"#, #"{"a":"\ud800"}"#, #"{"a":1e999}"#, "{\"a\":\"\u{01}\"}", "",
        "[1]", #"{"choices":{"delta":{}}}"#, #"{"choices":[{"delta":{"content":"x"}]}"#, #"{"choices":[{"delta":{"content":"x"}}]"#,
    ])
    func invalidChunk(text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: JSONSyntaxError.self) { try ChatChunkMembers(bytes, range: bytes.indices) }
    }

    @Test("a string member is read from its text; other kinds give nil")
    func stringMember() throws {
        let bytes = Array(#"["Se\"oul \ud55c",null,3]"#.utf8)
        let elements = try JSONMembers.elements(bytes, range: bytes.indices)
        #expect(try JSONMembers.string(bytes, range: elements[0]) == "Se\"oul 한")
        #expect(try JSONMembers.string(bytes, range: elements[1]) == nil)
        #expect(try JSONMembers.string(bytes, range: elements[2]) == nil)
    }

    @Test("edits apply in the text's order whatever order they were made in",
          arguments: [(1, "0bcdefghij"), (2, "0b1defghij"), (3, "0b1d2fghij"), (5, "0b1d2f3h4j")])
    func editOrder(count: Int, expected: String) throws {
        let bytes = Array("abcdefghij".utf8)
        var edits = JSONEdits()
        for index in (0..<count).reversed() {
            edits.replace(index * 2..<index * 2 + 1, with: Array("\(index)".utf8))
        }
        var out: [UInt8] = []
        edits.apply(to: bytes, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}

@Suite("Reading a stream's chunks from the last one's shape")
struct ChatChunkReaderTests {
    /// A small deterministic generator (the test's sequence is the same on every run).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11 &* 0x9E37_79B9_7F4A_7C15
        }
    }

    /// Content strings as they appear in the JSON text (quotes included), valid and not.
    static let contents = [
        #""""#, #""word3 ""#, #""서울 ""#, #""a\"b""#, #""back\\slash""#, #""\u00e9t\u00e9""#, #""new\nline""#, #""\ud55c\uae00""#,
        #""x"#, "\"ctl\u{01}\"", #""bad\q""#, #""\ud800""#, #"null"#, #"3"#, #""a","extra":"b""#, #""a"}"#,
    ]

    static func chunk(id: String, content: String, extra: String = "", finish: String = "null") -> String {
        #"{"id":"\#(id)","object":"chat.completion.chunk","created":1764,"model":"fake","choices":[{"index":0,"delta":{"content":\#(content)\#(extra)},"finish_reason":\#(finish),"logprobs":null}]}"#
    }

    @Test("each chunk reads as a full reading reads it, or fails as it does; most come from the template")
    func sameAsFullReading() {
        var random = Generator(state: 20261129)
        var reader = ChatChunkReader()
        var compared = 0
        for step in 0..<4000 {
            var text: String
            switch random.next() % 20 {
            case 0: text = #"{"id":"c1","object":"chat.completion.chunk","created":1764,"model":"fake","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#
            case 1: text = Self.chunk(id: "c1", content: #""""#, extra: #","role":"assistant""#)
            case 2: text = #"{"id":"c1","object":"chat.completion.chunk","created":1764,"model":"fake","choices":[{"index":0,"delta":{},"finish_reason":"stop","logprobs":null}]}"#
            case 3: text = Self.chunk(id: "c\(step % 3)", content: Self.contents[Int(random.next() % 8)])
            case 4: text = Self.chunk(id: "c1", content: Self.contents[Int(random.next() % 8)], finish: #""length""#)
            default: text = Self.chunk(id: "c1", content: Self.contents[Int(random.next() % UInt64(Self.contents.count))])
            }
            var chunk = Array(text.utf8)
            if random.next() % 8 == 0 {
                // One byte changed anywhere: structure, content or suffix.
                let marks = Array(#"{}[],:"\ a0"#.utf8)
                chunk[Int(random.next() % UInt64(chunk.count))] = marks[Int(random.next() % UInt64(marks.count))]
            }
            // As in a stream: the chunk's text within a larger buffer.
            let bytes = Array("data: ".utf8) + chunk + [0x0A, 0x0A]
            let range = 6..<(6 + chunk.count)
            let full = try? ChatChunkMembers(bytes, range: range)
            let read = try? reader.read(bytes, range: range)
            #expect(read == full, "step \(step): \(String(decoding: chunk, as: UTF8.self))")
            compared += 1
        }
        #expect(compared == 4000)
        #expect(reader.reused > 800)  // 949 with this sequence
    }

    @Test("a chunk from the template has the template's members moved by the new string's length")
    func moved() throws {
        var reader = ChatChunkReader()
        let first = Array(Self.chunk(id: "c1", content: #""a""#).utf8)
        _ = try reader.read(first, range: first.indices)
        let second = Array(("  " + Self.chunk(id: "c1", content: #""longer \"text\"""#)).utf8)
        let members = try reader.read(second, range: 2..<second.count)
        #expect(reader.reused == 1)
        #expect(try JSONMembers.string(second, range: try #require(members.content)) == #"longer "text""#)
        #expect(String(decoding: second[try #require(members.finishReason)], as: UTF8.self) == "null")
        #expect(String(decoding: second[try #require(members.model)], as: UTF8.self) == #""fake""#)
        #expect(members.range == 2..<second.count)
    }
}
