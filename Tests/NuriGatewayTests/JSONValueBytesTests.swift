import Foundation
import NuriGateway
import Testing

/// The relay's own JSON reader and writer agree with Foundation's on what OpenAI servers send.
@Suite("JSONValue parsing and writing")
struct JSONValueBytesTests {
    static let texts = [
        #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"choices":[{"index":0,"message":{"role":"assistant","content":"Seoul."},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#,
        #"{"s":"quote \" backslash \\ slash \/ tab \t newline \n unicode \u00e9 \ud83d\ude00 서울 \u0001"}"#,
        #"[0, -1, 1.5, -0.25, 1e3, 2.5E-3, 12345678901234, true, false, null, [], {}, [[[]]], {"a": {"b": [1, {"c": null}]}}]"#,
        "  {\n\t\"spaced\" : [ 1 , 2 ] }  ",
    ]

    @Test("parses as JSONDecoder does", arguments: texts)
    func parses(text: String) throws {
        let ours = try JSONValue(parsing: Array(text.utf8))
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test("what it writes reads back the same, through Foundation too", arguments: texts)
    func roundTrip(text: String) throws {
        let value = try JSONValue(parsing: Array(text.utf8))
        let written = value.jsonBytes
        #expect(try JSONValue(parsing: written) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(written)) == value)
        #expect(!String(decoding: written, as: UTF8.self).contains("\\/"), "slashes are not escaped")
    }

    @Test("integral numbers are written without a fraction, others in their shortest form")
    func numbers() {
        #expect(String(decoding: JSONValue.array([.number(16), .number(-3), .number(0.7), .number(1e-5)]).jsonBytes, as: UTF8.self) == "[16,-3,0.7,1e-05]")
    }

    @Test("malformed text is refused with the byte where it goes wrong", arguments: [
        "", "{", #"{"a":}"#, #"{"a" 1}"#, "[1,]", "01", "1.", "-", "tru", #""unterminated"#, "\"tab\there\"", #""\x""#,
        #""\ud800""#, "{} {}", "[1e999]",
    ])
    func refuses(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test("nesting deeper than the limit is refused, not a crash")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Array(deep.utf8)) }
    }
}
