import Foundation
@testable import NuriGuard

/// Fixture files shipped with the tests (Tests/NuriGuardTests/Fixtures).
enum Fixture {
    static func url(_ relativePath: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw FixtureError("the Fixtures folder is not in the test bundle")
        }
        return root.appendingPathComponent(relativePath)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// One line of Fixtures/pii-corpus.jsonl.
struct CorpusSentence: Decodable {
    struct Span: Decodable, Hashable {
        let type: String
        let start: Int
        let end: Int
    }

    let id: String
    let domain: String
    let text: String
    let entities: [Span]
    let sensitive: [String]
    let negative: Bool

    static func load() throws -> [CorpusSentence] {
        let text = try String(contentsOf: Fixture.url("pii-corpus.jsonl"), encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(CorpusSentence.self, from: Data($0.utf8)) }
    }
}

extension PIIScanner {
    /// The findings of `text` as (type, covered text) pairs, for readable expectations.
    func found(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return scan(text).entities.map { entity in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[entity.start..<entity.end])
            return "\(entity.type.rawValue):\(String(view))"
        }
    }

    /// The types found in `text`.
    func types(_ text: String) -> [PIIEntityType] { scan(text).entities.map(\.type) }
}
