import ArgumentParser
import Foundation
import NuriGuard

/// `nuri pii bench`
struct PIIBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the scanner's speed on one thread: sentences/s and MB/s.",
        discussion: """
            Scans every sentence of the corpus again and again for --seconds (after
            one warm-up pass) and prints the rate. The corpus is one sentence per
            line, or JSON lines with a "text" field; run from the repository, the
            labelled corpus of the tests is the default. scripts/bench-pii.py runs
            this next to the korean-pii package on the same sentences. Measure a
            release build: debug builds optimise file by file, about half as fast.

            Examples:
              nuri pii bench
              nuri pii bench --corpus prompts.txt --seconds 10
              nuri pii bench --json
            """
    )

    static let defaultCorpus = "Tests/NuriGuardTests/Fixtures/pii-corpus.jsonl"

    @Option(help: ArgumentHelp("Sentences to scan (default: \(defaultCorpus)).", valueName: "FILE"))
    var corpus: String?

    @Option(help: "How long to measure, in seconds.")
    var seconds: Double = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be between 0 and 3600, e.g. 3") }
    }

    func run() throws {
        let path = corpus ?? Self.defaultCorpus
        guard FileManager.default.fileExists(atPath: path), let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError(corpus == nil
                ? "no corpus at \(path): run from the repository root or pass --corpus FILE (one sentence per line, or JSON lines with a \"text\" field)"
                : "cannot open \(path): check the path")
        }
        var sentences: [String] = []
        try LineReader(handle).forEach { line in
            if line.hasPrefix("{"), case .success(let parsed) = PIIInputOptions.text(ofJSONLine: line) {
                sentences.append(parsed.text)
            } else if !line.isEmpty {
                sentences.append(line)
            }
        }
        guard !sentences.isEmpty else { throw CLIError("\(path) holds no sentences") }
        let bytes = sentences.reduce(0) { $0 + $1.utf8.count }

        let scanner = PIIScanner()
        var entities = 0
        for sentence in sentences { entities += scanner.scan(sentence).entities.count }   // warm-up
        var passes = 0
        let clock = ContinuousClock()
        let started = clock.now
        var elapsed = Duration.zero
        repeat {
            for sentence in sentences { entities &+= scanner.scan(sentence).entities.count }
            passes += 1
            elapsed = clock.now - started
        } while elapsed < .milliseconds(Int(seconds * 1000))
        let time = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sentencesPerSecond = Double(passes * sentences.count) / time
        let megabytesPerSecond = Double(passes * bytes) / time / 1e6
        let perPass = entities / (passes + 1)
        if json {
            print(#"{"sentences": \#(sentences.count), "bytes": \#(bytes), "passes": \#(passes), "seconds": \#(Self.fixed(time, 3)), "sentences_per_second": \#(Self.fixed(sentencesPerSecond, 0)), "mb_per_second": \#(Self.fixed(megabytesPerSecond, 2)), "entities_per_pass": \#(perPass)}"#)
        } else {
            print("corpus      \(path): \(sentences.count) sentences, \(bytes) bytes (\(bytes / sentences.count) bytes each)")
            print("measured    \(passes) passes in \(Self.fixed(time, 2)) s on one thread, \(perPass) entities a pass")
            print("speed       \(Self.fixed(sentencesPerSecond, 0)) sentences/s, \(Self.fixed(megabytesPerSecond, 2)) MB/s")
        }
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
