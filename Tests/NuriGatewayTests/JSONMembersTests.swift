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
}
