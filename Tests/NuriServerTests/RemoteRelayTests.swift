import NuriGateway
@testable import NuriServer
import Testing

@Suite("Remote relay: what it takes from an upstream's answer")
struct RemoteRelayTests {
    func tokens(_ prompt: JSONValue?, _ completion: JSONValue?) -> (Int, Int) {
        var usage: [String: JSONValue] = [:]
        usage["prompt_tokens"] = prompt
        usage["completion_tokens"] = completion
        return RemoteRelay.tokens(in: .object(usage))
    }

    /// An upstream is another server, and its usage is input: `Int(1e300)` stopped the process
    /// before, and a negative count gave budget back.
    @Test("token counts are taken as given when they can be counts; anything else is 0, never a crash or a refund")
    func counts() {
        #expect(tokens(.number(12), .number(7)) == (12, 7))
        #expect(tokens(.number(0), .number(1e15)) == (0, 1_000_000_000_000_000))
        #expect(tokens(.number(12.7), .number(3)) == (12, 3))
        #expect(tokens(.number(1e300), .number(-1e300)) == (0, 0))
        #expect(tokens(.number(-5), .number(1e16)) == (0, 0))
        #expect(tokens(.string("12"), .bool(true)) == (0, 0))
        #expect(tokens(nil, .null) == (0, 0))
        #expect(RemoteRelay.tokens(in: .array([.number(1)])) == (0, 0))
        #expect(RemoteRelay.tokens(in: nil) == (0, 0))
    }

    /// A chat answer's and a stream chunk's usage is read in place from its text; it must come
    /// to what the built value gives (the cases above, and the text's own variations).
    @Test("usage read in place from its text gives what the built value gives", arguments: [
        #"{"prompt_tokens":12,"completion_tokens":16,"total_tokens":28}"#,
        #"{ "completion_tokens" : 7 , "prompt_tokens" : 12.7 }"#,
        #"{"prompt_tokens":1e300,"completion_tokens":-1e300}"#,
        #"{"prompt_tokens":-5,"completion_tokens":1e16}"#,
        #"{"prompt_tokens":"12","completion_tokens":true}"#,
        #"{"prompt_tokens":null}"#,
        #"{"prompt_tokens":1,"prompt_tokens":2,"completion_tokens":3}"#,
        #"{"prompt_tokens":{"cached":4},"completion_tokens":[5],"completion_tokens_details":{"reasoning_tokens":9}}"#,
        #"{"prompt_tokens":21,"completion_tokens":0}"#,
        #"{"prompt_tokens":0.5e1,"completion_tokens":1E2}"#,
        #"{}"#,
        #"[12]"#,
        #""usage""#,
    ])
    func inPlace(text: String) throws {
        let bytes = Array(text.utf8)
        let built = RemoteRelay.tokens(in: try JSONValue(parsing: bytes))
        #expect(try RemoteRelay.tokens(bytes, usage: 0..<bytes.count) == built)
    }

    @Test("usage whose text is not valid JSON is refused, as the full parser refuses it", arguments: [
        #"{"prompt_tokens":012}"#, #"{"prompt_tokens":1,}"#, #"{"prompt_tokens":-}"#, #"{"prompt_tokens" 1}"#,
    ])
    func invalid(text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: (any Error).self) { try JSONValue(parsing: bytes) }
        #expect(throws: (any Error).self) { try RemoteRelay.tokens(bytes, usage: 0..<bytes.count) }
    }
}
