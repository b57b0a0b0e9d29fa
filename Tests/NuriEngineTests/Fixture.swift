import Foundation
import Testing

/// Fixture files shipped with the tests (Tests/NuriEngineTests/Fixtures).
enum Fixture {
    static func url(_ relativePath: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw FixtureError("the Fixtures folder is not in the test bundle")
        }
        return root.appendingPathComponent(relativePath)
    }

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// The real models `make models` fetches into models/ (never committed).
enum TestModels {
    /// The repository's root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ file: String) -> String? {
        let path = root.appendingPathComponent("models").appendingPathComponent(file).path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static var smolLM2: String? { path("SmolLM2-135M-Instruct.Q4_1.gguf") }
    static var gemma3: String? { path("gemma-3-270m-q4_k_m.gguf") }
}

@Test("make test provides the models when it says it does")
func modelsArePresentWhenRequired() {
    if ProcessInfo.processInfo.environment["NURI_REQUIRE_MODELS"] == "1" {
        #expect(TestModels.smolLM2 != nil && TestModels.gemma3 != nil, "NURI_REQUIRE_MODELS=1 but models/ lacks them; run `make models`")
    }
}
