import Foundation
import Testing

@testable import NuriEngine

/// The public API as the engine uses it: parse a model's template once, render conversations.
@Suite("Chat template API")
struct ChatTemplateTests {
    @Test("SmolLM2's template adds its default system prompt and the generation header")
    func smolLM2() throws {
        let template = try ChatTemplate(source: try ChatFixtures.template("smollm2-135m-instruct.jinja"))
        let prompt = try template.render(
            messages: [ChatMessage(role: "user", content: "What is 2 + 2?")], addGenerationPrompt: true,
            bosToken: "<|im_start|>", eosToken: "<|im_end|>")
        #expect(
            prompt == """
                <|im_start|>system
                You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
                <|im_start|>user
                What is 2 + 2?<|im_end|>
                <|im_start|>assistant

                """)
    }

    @Test("Gemma 3 folds the system prompt into the first user turn and refuses non-alternating roles")
    func gemma3() throws {
        let template = try ChatTemplate(source: try ChatFixtures.template("gemma-3-270m-it.jinja"))
        let prompt = try template.render(
            messages: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")],
            addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
        #expect(prompt == "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n")

        let error = try #require(throws: ChatTemplateError.self) {
            try template.render(
                messages: [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b")],
                addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
        }
        #expect(error.kind == .raised)
        #expect(error.message == "Conversation roles must alternate user/assistant/user/assistant/...")
    }

    @Test("Korean text round-trips and is counted in code points, as Python counts")
    func korean() throws {
        let template = try ChatTemplate(source: "{{ messages[0].content }}|{{ messages[0].content | length }}|{{ messages[0].content[:2] }}")
        let content = "안녕하세요, 누리입니다. 🙂 e\u{301}"
        let output = try template.render(
            messages: [ChatMessage(role: "user", content: content)], addGenerationPrompt: false, bosToken: "",
            eosToken: "")
        #expect(Array(output.utf8) == Array((content + "|\(content.unicodeScalars.count)|안녕").utf8))
    }

    @Test("extra variables reach the template; tools and documents default to None")
    func extraVariables() throws {
        let template = try ChatTemplate(
            source: "{{ tools is none }} {{ documents is none }} {{ date_string }} {{ bos_token }} {{ flags and flags.deep[1] }}")
        let defaults = try template.render(messages: [], addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>")
        #expect(defaults == "True True  <s> ")

        let given = try template.render(
            messages: [], addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>",
            extra: ["tools": [], "date_string": "14 Mar 2025", "bos_token": "ignored", "flags": ["deep": [1, 2.5]]])
        #expect(given == "False True 14 Mar 2025 <s> 2.5")
    }

    @Test("tools are printed with Hugging Face's tojson: keys in the order given, non-ASCII kept")
    func toolJSON() throws {
        let template = try ChatTemplate(source: "{{ tools[0] | tojson }}")
        let tool: TemplateValue = ["name": "날씨", "parameters": ["z": 1, "a": [true, .none, 0.5]]]
        let output = try template.render(
            messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "", extra: ["tools": [tool]])
        #expect(output == #"{"name": "날씨", "parameters": {"z": 1, "a": [true, null, 0.5]}}"#)
    }

    @Test("strftime_now formats the render clock like C strftime")
    func strftimeNow() throws {
        let template = try ChatTemplate(source: "{{ strftime_now('%d %b %Y, %A %H:%M') }}|{{ strftime_now('%-d/%-m') }}")
        let utc = try #require(TimeZone(identifier: "UTC"))
        let clock = JinjaClock(now: Date(timeIntervalSince1970: 1_741_944_413), timeZone: utc)
        #expect(try template.render(context: [:], clock: clock) == "14 Mar 2025, Friday 09:26|14/3")
    }

    @Test("TemplateObject keeps insertion order and compares like a Python dict")
    func templateObject() {
        var object: TemplateObject = ["b": 1, "a": 2]
        object["c"] = "x"
        object["b"] = 3
        #expect(object.keys == ["b", "a", "c"])
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object == ["c": "x", "b": 3])
        #expect(object != ["c": "x", "b": 4])
        #expect(Array(object.map(\.key)) == ["b", "c"])
    }

    @Test("a parsed template is Sendable and renders concurrently")
    func concurrentRendering() async throws {
        let template = try ChatTemplate(source: try ChatFixtures.template("llama-3.1-8b-instruct.jinja"))
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try template.render(
                        messages: [ChatMessage(role: "user", content: "질문 \(index)")], addGenerationPrompt: true,
                        bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>")
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outputs.count == 8)
        #expect(Set(outputs).count == 8)
        #expect(outputs.allSatisfy { $0.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n") })
    }

    @Test("the error description names kind, position and construct")
    func errorDescription() {
        let error = ChatTemplateError(kind: .syntax, message: "unexpected end of template", line: 3, column: 9, construct: "{% for %}")
        #expect(error.description == "chat template syntax error at line 3, column 9 ({% for %}): unexpected end of template")
    }
}
