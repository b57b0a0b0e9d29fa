import Foundation
import Testing

@testable import NuriEngine

/// The chat-template fixtures: templates and jinja2's renderings of them, written by
/// `Fixtures/chat/generate.py` (see `Fixtures/chat/README.md`).
enum ChatFixtures {
    /// The `chat` folder inside the test bundle's copy of `Fixtures`.
    static func directory() throws -> URL {
        guard let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw FixtureError("the test bundle has no Fixtures folder (resources: [.copy(\"Fixtures\")])")
        }
        return fixtures.appendingPathComponent("chat", isDirectory: true)
    }

    /// A template file from `chat/templates`, byte for byte.
    static func template(_ name: String) throws -> String {
        let data = try Data(contentsOf: directory().appendingPathComponent("templates").appendingPathComponent(name))
        guard let text = String(data: data, encoding: .utf8) else { throw FixtureError("\(name) is not UTF-8") }
        return text
    }

    /// The real model templates, by file name.
    static let templateNames = [
        "smollm2-135m-instruct.jinja", "gemma-3-270m-it.jinja", "llama-3-8b-instruct.jinja",
        "llama-3.1-8b-instruct.jinja", "qwen2.5-7b-instruct.jinja",
    ]

    static func document() throws -> ChatFixtureDocument {
        let data = try Data(contentsOf: directory().appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(ChatFixtureDocument.self, from: data)
    }

    /// Every case, or none if the fixtures cannot be read (``ChatTemplateFixtureTests`` checks that
    /// they can, so an unreadable file fails a test instead of silently testing nothing).
    static let cases: [ChatFixtureCase] = (try? document().cases) ?? []

    /// The instant `strftime_now` reports in the fixtures (generate.py's FIXED_NOW, UTC).
    static func clock(_ document: ChatFixtureDocument) throws -> JinjaClock {
        guard let now = ISO8601DateFormatter().date(from: document.fixedNowUTC),
            let utc = TimeZone(identifier: "UTC")
        else { throw FixtureError("bad fixed_now_utc \(document.fixedNowUTC)") }
        return JinjaClock(now: now, timeZone: utc)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ChatFixtureDocument: Decodable {
    let jinja2Version: String
    let fixedNowUTC: String
    let cases: [ChatFixtureCase]

    enum CodingKeys: String, CodingKey {
        case jinja2Version = "jinja2_version"
        case fixedNowUTC = "fixed_now_utc"
        case cases
    }
}

/// One rendering: a template (file or inline source), its variables, and jinja2's result.
struct ChatFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let template: String?
    let source: String?
    let messages: FixtureValue
    let addGenerationPrompt: Bool
    let bosToken: String
    let eosToken: String
    let extra: FixtureValue
    let expected: String?
    let error: ExpectedError?

    struct ExpectedError: Decodable, Sendable {
        /// `raised` (the template's raise_exception), `runtime` or `syntax`.
        let kind: String
        let python: String
        let message: String
    }

    enum CodingKeys: String, CodingKey {
        case name, template, source, messages, extra, expected, error
        case addGenerationPrompt = "add_generation_prompt"
        case bosToken = "bos_token"
        case eosToken = "eos_token"
    }

    var testDescription: String { name }

    func templateSource() throws -> String {
        if let source { return source }
        guard let template else { throw FixtureError("\(name) has neither template nor source") }
        return try ChatFixtures.template(template)
    }

    /// The messages as ``ChatMessage``s when each is exactly a role and a string content, so the
    /// public API can render them; nil when they carry more (tool calls, dict content).
    var plainMessages: [ChatMessage]? {
        guard case .array(let items) = messages.value else { return nil }
        var result: [ChatMessage] = []
        for item in items {
            guard case .object(let object) = item, object.count == 2, case .string(let role)? = object["role"],
                case .string(let content)? = object["content"]
            else { return nil }
            result.append(ChatMessage(role: role, content: content))
        }
        return result
    }

    var extraVariables: [String: TemplateValue] {
        guard case .object(let object) = extra.value else { return [:] }
        var variables: [String: TemplateValue] = [:]
        for (key, value) in object { variables[key] = value }
        return variables
    }

    /// All template variables, as generate.py passed them to jinja2.
    var context: TemplateObject {
        var context = TemplateObject()
        if case .object(let object) = extra.value {
            for (key, value) in object { context[key] = value }
        }
        context["messages"] = messages.value
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        context["bos_token"] = .string(bosToken)
        context["eos_token"] = .string(eosToken)
        return context
    }
}

/// A value as generate.py writes it: a one-key object naming its Python type, with dicts as
/// ordered `[key, value]` pairs (JSON objects would lose the order `tojson` must keep).
struct FixtureValue: Decodable, Sendable {
    let value: TemplateValue

    private enum Kind: String, CodingKey {
        case none, bool, int, double, string, array, object
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        guard let kind = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "untyped value"))
        }
        switch kind {
        case .none: value = .none
        case .bool: value = .bool(try container.decode(Bool.self, forKey: .bool))
        case .int: value = .int(try container.decode(Int.self, forKey: .int))
        case .double: value = .double(try container.decode(Double.self, forKey: .double))
        case .string: value = .string(try container.decode(String.self, forKey: .string))
        case .array: value = .array(try container.decode([FixtureValue].self, forKey: .array).map(\.value))
        case .object:
            var pairs = try container.nestedUnkeyedContainer(forKey: .object)
            var object = TemplateObject()
            while !pairs.isAtEnd {
                var pair = try pairs.nestedUnkeyedContainer()
                let key = try pair.decode(String.self)
                object[key] = try pair.decode(FixtureValue.self).value
            }
            value = .object(object)
        }
    }
}
