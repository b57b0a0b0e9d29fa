import Testing

@testable import NuriEngine

/// Templates Nuri cannot render fail with a typed error that says what and where, at load time
/// when possible, and never crash.
@Suite("Chat template errors")
struct ChatTemplateErrorTests {
    private func parseError(_ source: String) -> ChatTemplateError? {
        do {
            _ = try ChatTemplate(source: source)
            return nil
        } catch {
            return error
        }
    }

    private func renderError(_ source: String, messages: [ChatMessage] = []) -> ChatTemplateError? {
        do {
            let template = try ChatTemplate(source: source)
            _ = try template.render(messages: messages, addGenerationPrompt: false, bosToken: "<s>", eosToken: "</s>")
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "constructs that need other files or are not implemented are rejected when parsing",
        arguments: [
            ("Hello\n{% include 'header.jinja' %}", "{% include %}", 2, 4),
            ("{% extends 'base.jinja' %}", "{% extends %}", 1, 4),
            ("{% import 'macros.jinja' as m %}", "{% import %}", 1, 4),
            ("{% from 'macros.jinja' import m %}", "{% from %}", 1, 4),
            ("{% block content %}x{% endblock %}", "{% block %}", 1, 4),
            ("{% call m() %}x{% endcall %}", "{% call %}", 1, 4),
            ("{% for x in xs recursive %}{% endfor %}", "{% for … recursive %}", 1, 16),
        ])
    func unsupportedStatements(source: String, construct: String, line: Int, column: Int) throws {
        let error = try #require(parseError(source))
        #expect(error.kind == .unsupported)
        #expect(error.construct == construct)
        #expect(error.line == line)
        #expect(error.column == column)
        #expect(error.description.contains("line \(line), column \(column)"))
    }

    @Test("an unknown filter or test is named, with where it is")
    func unknownFilterAndTest() throws {
        let filter = try #require(parseError("{% for m in messages %}\n  {{ m.content | frobnicate(2) }}\n{% endfor %}"))
        #expect(filter.kind == .unsupported)
        #expect(filter.construct == "filter 'frobnicate'")
        #expect(filter.line == 2)
        #expect(filter.column == 18)
        #expect(filter.message.contains("no filter named 'frobnicate'"))

        let test = try #require(parseError("{{ x is frobnicated }}"))
        #expect(test.kind == .unsupported)
        #expect(test.construct == "test 'frobnicated'")
    }

    @Test("inside an if, an unknown filter fails only when its branch runs, as in Jinja")
    func unknownFilterInBranch() throws {
        let template = try ChatTemplate(
            source: "{% if tools %}\n{{ tools | frobnicate }}{% endif %}{{ 'x' | nope if false else 'ok' }}")
        #expect(try template.render(messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "") == "ok")
        let error = try #require(throws: ChatTemplateError.self) {
            try template.render(messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "", extra: ["tools": [1]])
        }
        #expect(error.kind == .unsupported)
        #expect(error.construct == "filter 'frobnicate'")
        #expect(error.line == 2)
        #expect(error.column == 12)
    }

    @Test(
        "malformed templates are syntax errors",
        arguments: [
            "{{ name", "{{ name }", "{% if x %}no end", "{% if x %}{% endfor %}", "{% endif %}", "{% for x in xs %}",
            "{% for x in xs %}{% else %}", "{# never closed", "{{ 'never closed }}", "{{ (1 }}", "{{ 1) }}",
            "{{ [1, 2 }}", "{{ {'a': 1 }}", "{% %}", "{% if %}{% endif %}", "{{ }}", "{% set %}",
            "{% set = 1 %}", "{% macro %}{% endmacro %}", "{% frobnicate %}", "{% break %}",
            "{% for x in xs %}{% macro m() %}{% break %}{% endmacro %}{% endfor %}", "{{ a b }}", "{{ 1 + }}",
            "{{ x | }}", "{{ x is }}", "{{ x.  }}", "{% for in xs %}{% endfor %}",
            "{% for x xs %}{% endfor %}", "{% set true = 1 %}", "{{ 'a' ! 'b' }}", "{{ '\\x4' }}",
            "{% if x %}{% elif %}{% endif %}", "{% with %}{% endwith", "{{ f(a=1, 2) }}",
            "{% macro m(a=1, b) %}{% endmacro %}", "{{ x is defined is defined }}", "{% raw %}never ends",
        ])
    func malformed(source: String) throws {
        let error = try #require(parseError(source), "\(source.debugDescription) parsed")
        #expect(error.kind == .syntax || error.kind == .unsupported, "\(source.debugDescription): \(error)")
        #expect(error.line >= 1 && error.column >= 1, "\(source.debugDescription): \(error)")
        #expect(!error.message.isEmpty)
    }

    @Test("an unclosed block points at its opening tag")
    func unclosedBlockPosition() throws {
        let error = try #require(parseError("text\n  {% for m in messages %}\n{{ m }}"))
        #expect(error.kind == .syntax)
        #expect(error.construct == "{% for %}")
        #expect(error.line == 2)
        #expect(error.column == 3)
        #expect(error.message.contains("endfor"))
    }

    @Test("raise_exception carries the template's own message and position")
    func raisedMessage() throws {
        let source = "{% for m in messages %}\n{% if m.role == 'tool' %}{{ raise_exception('Tools are not supported: ' ~ m.role) }}{% endif %}{% endfor %}"
        let error = try #require(renderError(source, messages: [ChatMessage(role: "tool", content: "x")]))
        #expect(error.kind == .raised)
        #expect(error.message == "Tools are not supported: tool")
        #expect(error.construct == "raise_exception")
        #expect(error.line == 2)
        #expect(error.description.hasPrefix("chat template rejected the input at line 2"))
    }

    @Test(
        "runtime failures are errors with positions",
        arguments: [
            ("{{ nothing.attribute }}", "attribute '.attribute'"),
            ("\n\n  {{ 'a' + 1 }}", "'+' operator"),
            ("{{ [1, 2] | items }}", "filter 'items'"),
            ("{{ messages[0]['content'] }}", "subscript"),
            ("{% for x in 42 %}{% endfor %}", "{% for %}"),
            ("{{ 'x'.format(1) }}", "call to '.format()'"),
            ("{{ [].append(1) }}", "call to '.append()'"),
            ("{% set n = 1 %}{% set n.x = 2 %}", "{% set %}"),
            ("{{ 1 // 0 }}", "'//' operator"),
            ("{{ 9223372036854775807 + 1 }}", "'+' operator"),
        ])
    func runtimeErrors(source: String, construct: String) throws {
        let error = try #require(renderError(source))
        #expect(error.kind == .runtime)
        #expect(error.construct == construct, "\(error)")
        #expect(error.line >= 1)
    }

    @Test("resource limits stop runaway templates instead of exhausting memory or the stack")
    func limits() throws {
        let cases = [
            "{{ 'x' * 100000000 }}",
            "{{ [1] * 100000000 }}",
            "{{ range(1000000) | length }}",
            "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
            "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
            "{{ " + String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500) + " }}",
            "{{ " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + " }}",
            "{{ " + String(repeating: "not ", count: 1000) + "x }}",
            "{{ " + String(repeating: "-", count: 1000) + "1 }}",
            String(repeating: "{% if true %}", count: 200) + String(repeating: "{% endif %}", count: 200),
            "{{ range(-9223372036854775807, 9223372036854775807) | length }}",
            "{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}",
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "{{ 'a\nb' | indent(1000000000000) }}",
            "{{ [1] | tojson(indent=1000000000000) }}",
            "{{ ('x' * 1000000) | replace('', 'y' * 100) }}",
            "{{ (['x' * 1000000] * 20) | join('y') }}",
            "{{ [[1] * 1000] * 100000 }}",
            "{{ ([[1] * 1000] * 100000) | tojson }}",
        ]
        for source in cases {
            let error = try #require(renderError(source), "\(source.prefix(60)) rendered")
            #expect(error.kind == .runtime || error.kind == .unsupported, "\(source.prefix(60)): \(error)")
        }
    }
}
