import Testing

@testable import NuriEngine

/// Thousands of broken variants of the real templates (every truncation, random edits, spliced
/// Jinja fragments) go through parsing and rendering. Each either renders or throws a
/// ``ChatTemplateError``; a crash would end the test process. Deterministic: a fixed seed.
@Suite("Chat template fuzzing")
struct ChatTemplateFuzzTests {
    /// SplitMix64: small, fast, and the same sequence on every platform.
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let fragments: [String] = [
        "{%", "%}", "{{", "}}", "{#", "#}", "-", "+", "'", "\"", "(", ")", "[", "]", "{", "}", "|", ".", ",", ":",
        "\\", "\n", " ", "{% endif %}", "{% endfor %}", "{% else %}", "{% for x in messages %}", "{% if x %}",
        "{% set ns.x = 1 %}", "loop", "loop.index0", "not ", " in ", " is ", " if ", " else ", "| trim", "| tojson",
        "raise_exception(", "namespace(", "messages[1:]", "[-1]", "**", "//", "~", "9223372036854775807", "-1",
        "é", "한", "\u{301}", "\u{1F600}", "\r\n", "{%- ", " -%}", "{{- ", " -}}",
    ]

    private static func mutate(_ source: String, _ random: inout SplitMix64) -> String {
        var scalars = Array(source.unicodeScalars)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0:  // delete a short run
                let end = min(scalars.count, position + Int.random(in: 1...8, using: &random))
                if position < end { scalars.removeSubrange(position..<end) }
            case 1:  // insert a Jinja fragment
                let fragment = fragments[Int.random(in: 0..<fragments.count, using: &random)]
                scalars.insert(contentsOf: fragment.unicodeScalars, at: position)
            case 2:  // replace one scalar with printable ASCII
                if position < scalars.count {
                    scalars[position] = Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &random))
                }
            case 3:  // duplicate a run elsewhere
                let end = min(scalars.count, position + Int.random(in: 1...40, using: &random))
                let run = Array(scalars[position..<end])
                scalars.insert(contentsOf: run, at: Int.random(in: 0...scalars.count, using: &random))
            case 4:  // swap two scalars
                let other = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &random)
                if position < scalars.count { scalars.swapAt(position, other) }
            default:  // truncate
                scalars.removeSubrange(position..<scalars.count)
            }
        }
        return PythonText.fromScalars(scalars)
    }

    /// Messages that reach the tool-handling branches too.
    private static let context: TemplateObject = [
        "messages": [
            ["role": "system", "content": "시스템"],
            ["role": "user", "content": "  질문 \n"],
            [
                "role": "assistant", "content": "",
                "tool_calls": [["type": "function", "function": ["name": "f", "arguments": ["a": 1]]]],
            ],
            ["role": "tool", "content": ["result": 1.5]],
            ["role": "user", "content": "다음"],
        ],
        "tools": [["type": "function", "function": ["name": "f", "parameters": ["type": "object"]]]],
        "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>",
    ]

    /// Parses and, if that works, renders; returns whether it rendered. Errors must be well-formed.
    private static func exercise(_ source: String) -> Bool {
        do {
            let template = try ChatTemplate(source: source)
            _ = try template.render(
                messages: [ChatMessage(role: "user", content: "안녕"), ChatMessage(role: "assistant", content: "네")],
                addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>")
            _ = try template.render(context: context, clock: .system)
            return true
        } catch {
            #expect(!error.message.isEmpty)
            #expect(error.line >= 0 && error.column >= 0)
            return false
        }
    }

    @Test("every truncation of every real template parses or fails cleanly")
    func truncations() throws {
        var rendered = 0
        var total = 0
        for name in ChatFixtures.templateNames {
            let scalars = Array(try ChatFixtures.template(name).unicodeScalars)
            for length in stride(from: 0, through: scalars.count, by: 3) {
                total += 1
                if Self.exercise(PythonText.fromScalars(scalars[..<length])) { rendered += 1 }
            }
        }
        #expect(total > 3000)
        #expect(rendered > 0)
    }

    @Test("random edits of the real templates parse or fail cleanly")
    func randomEdits() throws {
        var random = SplitMix64(state: 0x4E55_5249)  // "NURI"
        var rendered = 0
        var total = 0
        for name in ChatFixtures.templateNames {
            let source = try ChatFixtures.template(name)
            for _ in 0..<800 {
                total += 1
                if Self.exercise(Self.mutate(source, &random)) { rendered += 1 }
            }
        }
        #expect(total == 4000)
        #expect(rendered > 100)
    }
}
