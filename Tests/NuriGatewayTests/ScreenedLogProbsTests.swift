import Foundation
import NuriGateway
import NuriTestSupport
import Testing

@Suite("Log probabilities released with their text")
struct ScreenedLogProbsTests {
    /// Streams `tokens` through the filter; each token's entry is its own text. Returns the
    /// chunks the client gets: the text released and the entries that go with it.
    func stream(_ tokens: [String], filter: some OutputFilter = CityMask()) async throws -> [(text: String, entries: [String])] {
        var filter = filter
        var screened = ScreenedLogProbs<String>()
        var chunks: [(String, [String])] = []
        for token in tokens {
            screened.generated(token, token)
            let text = try await filter.pass(token)
            chunks.append((text, screened.released(text, held: filter.heldScalars)))
        }
        let rest = try await filter.finish()
        chunks.append((rest, screened.released(rest, held: 0)))
        return chunks
    }

    @Test("unchanged text: every entry goes out, in order, once all of its token's text has gone out, never before")
    func unchanged() async throws {
        let chunks = try await stream(["The", " capital", " is", " Busan", "."])
        #expect(chunks.flatMap(\.entries) == ["The", " capital", " is", " Busan", "."])
        var text = "", entries = ""
        for chunk in chunks {
            text += chunk.text
            entries += chunk.entries.joined()
            #expect(text.hasPrefix(entries), "an entry went out before its text: \(entries) / \(text)")
        }
        #expect(chunks.map(\.entries.count) == [0, 1, 1, 1, 0, 2])  // the filter holds each word until the next space
    }

    @Test("a masked word's tokens never go out, nor does a token that overlaps it; the rest do")
    func masked() async throws {
        let chunks = try await stream(["It", " is", " Se", "oul", " or", " Busan", "."])
        #expect(chunks.map(\.text).joined() == "It is [CITY] or Busan.")
        let entries = chunks.flatMap(\.entries)
        #expect(!entries.contains(" Se") && !entries.contains("oul"))
        #expect(entries.contains(" Busan") && entries.contains("."))
        // A token across the masked word and the next: dropped too.
        let across = try await stream(["It", " is", " Seo", "ul or", " Busan"])
        #expect(!across.flatMap(\.entries).contains { $0.contains("ul") || $0.contains("Seo") })
    }

    @Test("with a filter that holds nothing back, each token's entry goes out with it")
    func passThrough() async throws {
        let chunks = try await stream(["가", "나", " 다"], filter: PassThroughFilter())
        #expect(chunks.dropLast().map(\.entries) == [["가"], ["나"], [" 다"]])
    }
}

extension ScreenedLogProbsTests {
    @Test("a piece's tokens are placed only if they spell it; otherwise none goes out, and later ones still line up")
    func spelling() {
        var screened = ScreenedLogProbs<String>()
        screened.generated("Hello", tokens: [("Hel", "Hel"), ("lo", "lo")])
        #expect(screened.released("Hello", held: 0) == ["Hel", "lo"])
        screened.generated(" world", tokens: [(" wor", " wor"), ("l", "l")])  // "d" missing: cannot be placed
        screened.generated("!", tokens: [("!", "!")])
        #expect(screened.released(" world!", held: 0) == ["!"])
    }
}
