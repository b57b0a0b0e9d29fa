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
