import Foundation
import Testing
@testable import NuriGuard

/// Precision, recall and F1 per type on the labelled corpus (Fixtures/pii-corpus.jsonl, made by
/// scripts/make-pii-corpus.py; see Fixtures/README.md). A finding counts only with the exact
/// type, start and end of a labelled span.
@Suite("Labelled corpus")
struct CorpusTests {
    struct Counts {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
        var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 1000).\(String(repeating: "0", count: 3 - String(tenths % 1000).count))\(tenths % 1000)"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    @Test("overall F1 ≥ 0.95, no hit on a hard negative; the per-type table is printed")
    func corpus() throws {
        let sentences = try CorpusSentence.load()
        #expect(sentences.count > 1000)
        let scanner = PIIScanner()
        var counts: [String: Counts] = [:]
        var overall = Counts()
        var sensitive = Counts()
        var negativeHits: [String] = []
        var misses: [String] = []
        for sentence in sentences {
            let result = scanner.scan(sentence.text)
            let found = Set(result.entities.map { CorpusSentence.Span(type: $0.type.rawValue, start: $0.start, end: $0.end) })
            let gold = Set(sentence.entities)
            for span in found {
                if gold.contains(span) { counts[span.type, default: Counts()].truePositives += 1 }
                else { counts[span.type, default: Counts()].falsePositives += 1; misses.append("\(sentence.id) extra \(span.type) \(span.start)..<\(span.end)") }
            }
            for span in gold.subtracting(found) {
                counts[span.type, default: Counts()].falseNegatives += 1
                misses.append("\(sentence.id) missed \(span.type) \(span.start)..<\(span.end)")
            }
            if sentence.negative && !found.isEmpty { negativeHits.append("\(sentence.id): \(sentence.text)") }
            let foundCategories = Set(result.sensitiveCategories.map(\.rawValue)), goldCategories = Set(sentence.sensitive)
            sensitive.truePositives += foundCategories.intersection(goldCategories).count
            sensitive.falsePositives += foundCategories.subtracting(goldCategories).count
            sensitive.falseNegatives += goldCategories.subtracting(foundCategories).count
        }
        var table = "type            precision  recall     F1     (tp/fp/fn)\n"
        for (type, count) in counts.sorted(by: { $0.key < $1.key }) {
            overall.truePositives += count.truePositives
            overall.falsePositives += count.falsePositives
            overall.falseNegatives += count.falseNegatives
            table += Self.pad(type, 16) + Self.pad(Self.percent(count.precision), 11) + Self.pad(Self.percent(count.recall), 11)
                + Self.pad(Self.percent(count.f1), 7) + "(\(count.truePositives)/\(count.falsePositives)/\(count.falseNegatives))\n"
        }
        table += Self.pad("overall", 16) + Self.pad(Self.percent(overall.precision), 11) + Self.pad(Self.percent(overall.recall), 11)
            + Self.pad(Self.percent(overall.f1), 7) + "(\(overall.truePositives)/\(overall.falsePositives)/\(overall.falseNegatives))\n"
        table += Self.pad("sensitive flags", 16) + Self.pad(Self.percent(sensitive.precision), 11) + Self.pad(Self.percent(sensitive.recall), 11)
            + Self.pad(Self.percent(sensitive.f1), 7) + "(\(sensitive.truePositives)/\(sensitive.falsePositives)/\(sensitive.falseNegatives))\n"
        let negatives = sentences.filter(\.negative).count
        table += "\(sentences.count) sentences, \(negatives) hard negatives, \(negativeHits.count) with a finding"
        print(table)
        for miss in misses.prefix(20) { print("  " + miss) }
        #expect(overall.f1 >= 0.95, "overall F1 \(overall.f1)")
        #expect(negativeHits.isEmpty, "findings in hard negatives:\n\(negativeHits.prefix(10).joined(separator: "\n"))")
    }

    @Test("every labelled span is in range and covers what the generator wrote")
    func corpusIsWellFormed() throws {
        for sentence in try CorpusSentence.load() {
            let count = sentence.text.unicodeScalars.count
            for span in sentence.entities {
                #expect(span.start >= 0 && span.start < span.end && span.end <= count, "\(sentence.id)")
                #expect(PIIEntityType(rawValue: span.type) != nil, "\(sentence.id): \(span.type)")
            }
            #expect(!sentence.negative || sentence.entities.isEmpty)
        }
    }

    @Test("general Korean text (KoBEST paragraphs and questions) yields almost no findings")
    func generalText() throws {
        let text = try String(contentsOf: Fixture.url("general-text-kobest.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count > 1500)
        let scanner = PIIScanner()
        var flagged: [String] = []
        for line in lines {
            let found = scanner.found(line)
            if !found.isEmpty { flagged.append("\(found): \(line.prefix(60))") }
        }
        print("general text: \(lines.count) lines, \(flagged.count) with a finding")
        for line in flagged.prefix(10) { print("  " + line) }
        // Encyclopaedia and story text has no personal data of the kinds found here; allow a
        // stray few in a thousand before calling it a regression.
        #expect(flagged.count * 1000 <= lines.count * 3, "\(flagged.count) of \(lines.count) lines flagged")
    }
}
