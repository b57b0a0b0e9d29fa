import ArgumentParser
import Foundation
import NuriEngine

/// `nuri bench`
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure prompt and generation speed in tokens/s, as llama-bench's pp and tg tests do.",
        discussion: """
            pp N: one batch of N prompt tokens from an empty cache; tg N: N tokens generated one by
            one. Each test runs --repetitions times; the mean and standard deviation are printed in
            llama-bench's table layout so the two can be compared side by side.

            --concurrent N,M,…: N sequences generate tg tokens each in one continuous batch (one
            token of every sequence per forward pass); prints the aggregate tokens/s and the
            speed-up over one sequence.

            Examples:
              nuri bench models/SmolLM2-135M-Instruct.Q4_1.gguf -p 512 -g 128 -t 2
              nuri bench models/SmolLM2-135M-Instruct.Q4_1.gguf -p 0 -g 128 --concurrent 1,2,4,8
            """
    )

    @Argument(help: "Path to a GGUF model file.")
    var model: String

    @Option(name: [.customShort("p"), .customLong("prompt")], help: "Prompt tokens for the pp test (0: skip).")
    var prompt = 512

    @Option(name: [.customShort("g"), .customLong("gen")], help: "Generated tokens for the tg test (0: skip).")
    var gen = 128

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.customShort("r"), .customLong("repetitions")], help: "Repetitions of each test.")
    var repetitions = 3

    @Option(name: .customLong("concurrent"), help: "Sequences decoding together, comma-separated (e.g. 1,2,4,8).")
    var concurrent: String?

    func run() throws {
        guard prompt >= 0, gen >= 0, threads > 0, repetitions > 0 else { throw CLIError("-p, -g ≥ 0; -t, -r ≥ 1") }
        let counts: [Int] = try concurrent.map { list in
            try list.split(separator: ",").map { part -> Int in
                guard let n = Int(part.trimmingCharacters(in: .whitespaces)), (1...256).contains(n) else {
                    throw CLIError("--concurrent takes sequence counts from 1 to 256, comma-separated, e.g. 1,2,4,8")
                }
                return n
            }
        } ?? []
        if !counts.isEmpty && gen == 0 { throw CLIError("--concurrent measures decoding: give -g greater than 0") }
        let language: LanguageModel
        do {
            language = try LanguageModel(path: model, threads: threads, batch: max(prompt, counts.max() ?? 1, 1))
        } catch {
            throw CLIError("cannot load \(model): \(error)")
        }
        let name = URL(fileURLWithPath: model).lastPathComponent
        print("| model | threads | test | t/s |")
        print("| --- | ---: | ---: | ---: |")
        // Token ids as llama-bench uses them: random ids, which is fine for speed.
        var generator = SystemRandomNumberGenerator()
        let vocabulary = Int32(language.config.vocabularySize)
        func measure(_ body: () throws -> Int) throws -> (Double, Double) {
            var rates: [Double] = []
            for _ in 0..<repetitions {
                let start = ContinuousClock.now
                let tokens = try body()
                let elapsed = ContinuousClock.now - start
                rates.append(Double(tokens) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            }
            let mean = rates.reduce(0, +) / Double(rates.count)
            let deviation = (rates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(rates.count - 1, 1))).squareRoot()
            return (mean, deviation)
        }
        do {
            if prompt > 0 {
                let ids = (0..<prompt).map { _ in Int32.random(in: 0..<vocabulary, using: &generator) }
                let cache = language.makeCache(capacity: prompt + 1)
                _ = try language.evaluate(Array(ids.prefix(8)), cache: cache)  // warm up
                let (mean, deviation) = try measure {
                    cache.truncate(to: 0)
                    _ = try language.evaluate(ids, cache: cache)
                    return prompt
                }
                print("| \(name) | \(threads) | pp\(prompt) | \(String(format: "%.2f ± %.2f", mean, deviation)) |")
            }
            if gen > 0 {
                let cache = language.makeCache(capacity: gen + 1)
                let (mean, deviation) = try measure {
                    cache.truncate(to: 0)
                    var token: Int32 = 1
                    for _ in 0..<gen {
                        let logits = try language.evaluate([token], cache: cache)
                        // The engine's argmax: the command is compiled without optimisation in debug builds.
                        token = Int32(logits.withUnsafeBufferPointer(Sampler.argmax))
                    }
                    return gen
                }
                print("| \(name) | \(threads) | tg\(gen) | \(String(format: "%.2f ± %.2f", mean, deviation)) |")
            }
            if !counts.isEmpty {
                print("")
                print("| model | threads | sequences | test | aggregate t/s | per sequence t/s | vs 1 sequence |")
                print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
                var single: Double?
                for count in counts {
                    let caches = (0..<count).map { _ in language.makeCache(capacity: gen + 1) }
                    let (mean, deviation) = try measure {
                        for cache in caches { cache.truncate(to: 0) }
                        var tokens = (0..<count).map { _ in Int32.random(in: 0..<vocabulary, using: &generator) }
                        for _ in 0..<gen {
                            let inputs = zip(caches, tokens).map { LanguageModel.SequenceInput(cache: $0, tokens: [$1]) }
                            try language.evaluate(inputs) { sequence, _, logits in tokens[sequence] = Int32(Sampler.argmax(logits)) }
                        }
                        return gen * count
                    }
                    if count == 1 { single = mean }
                    let speedUp = single.map { String(format: "%.2f×", mean / $0) } ?? "-"
                    print("| \(name) | \(threads) | \(count) | tg\(gen) | \(String(format: "%.2f ± %.2f", mean, deviation)) | "
                          + "\(String(format: "%.2f", mean / Double(count))) | \(speedUp) |")
                }
            }
        } catch {
            throw CLIError("\(error)")
        }
        print("")
        print("peak memory: \(Self.peakResidentMebibytes()) MiB resident (model mapped from the file, caches, buffers)")
        print("kernels: \(LanguageModel.kernels)")
    }

    /// The process's peak resident set size, in MiB (`getrusage`; Linux reports KiB).
    static func peakResidentMebibytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss / (1024 * 1024)
        #endif
    }
}
