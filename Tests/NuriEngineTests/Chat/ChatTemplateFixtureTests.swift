import Foundation
import Testing

@testable import NuriEngine

/// Every fixture case renders exactly as Python's jinja2 rendered it (Hugging Face's settings),
/// or fails where jinja2 failed: with the template's own message when it called raise_exception.
@Suite("Chat templates against jinja2")
struct ChatTemplateFixtureTests {
    @Test("the fixtures load and cover every real template")
    func fixturesLoad() throws {
        let document = try ChatFixtures.document()
        #expect(document.cases.count > 200)
        for name in ChatFixtures.templateNames {
            #expect(document.cases.contains { $0.template == name }, "no cases for \(name)")
        }
        #expect(document.cases.contains { $0.error?.kind == "raised" })
    }

    @Test("renders like jinja2", arguments: ChatFixtures.cases)
    func rendersLikeJinja(_ fixture: ChatFixtureCase) throws {
        let source = try fixture.templateSource()
        let clock = try ChatFixtures.clock(ChatFixtures.document())
        let result: Result<String, ChatTemplateError>
        do {
            let template = try ChatTemplate(source: source)
            if let messages = fixture.plainMessages, !source.contains("strftime_now") {
                // The public API, as the engine calls it.
                result = .success(
                    try template.render(
                        messages: messages, addGenerationPrompt: fixture.addGenerationPrompt,
                        bosToken: fixture.bosToken, eosToken: fixture.eosToken, extra: fixture.extraVariables))
            } else {
                result = .success(try template.render(context: fixture.context, clock: clock))
            }
        } catch {
            result = .failure(error)
        }

        switch (result, fixture.expected, fixture.error) {
        case (.success(let output), let expected?, _):
            #expect(
                output.unicodeScalars.elementsEqual(expected.unicodeScalars),
                "\(fixture.name)\n--- Nuri\n\(output.debugDescription)\n--- jinja2\n\(expected.debugDescription)")
        case (.failure(let error), _, let expected?):
            if expected.kind == "raised" {
                #expect(error.kind == .raised, "\(fixture.name): expected raise_exception, got \(error)")
                #expect(error.message == expected.message)
            } else {
                #expect(error.kind != .raised, "\(fixture.name): \(error)")
            }
            #expect(error.line > 0, "\(fixture.name): error without a position: \(error)")
        case (.success(let output), nil, let expected?):
            Issue.record("\(fixture.name): jinja2 failed (\(expected.python): \(expected.message)) but Nuri rendered \(output.debugDescription)")
        case (.failure(let error), let expected?, nil):
            Issue.record("\(fixture.name): jinja2 rendered \(expected.debugDescription) but Nuri failed: \(error)")
        default:
            Issue.record("\(fixture.name): the fixture has neither an expected text nor an error")
        }
    }
}
