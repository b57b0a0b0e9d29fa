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
}
