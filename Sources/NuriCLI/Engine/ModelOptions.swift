import ArgumentParser
import Foundation
import NuriEngine

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "Path to a GGUF model file.")
    var model: String

    @Option(name: [.short, .customLong("threads")], help: "Threads for the forward pass (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("ctx"), help: "Context length in tokens (default: the model's, at most 4096).")
    var contextLength: Int?

    /// Loads the model and its tokenizer, with errors a user can act on.
    func load() throws -> (LanguageModel, Tokenizer) {
        guard FileManager.default.fileExists(atPath: model) else {
            throw CLIError("no model file at \(model); fetch the default models with `make models`")
        }
        guard threads > 0 else { throw CLIError("--threads must be at least 1") }
        if let contextLength, contextLength < 2 { throw CLIError("--ctx must be at least 2") }
        do {
            let language = try LanguageModel(path: model, threads: threads)
            let tokenizer = try Tokenizer(gguf: language.file)
            return (language, tokenizer)
        } catch let error as EngineError {
            throw CLIError("cannot load \(model): \(error)")
        } catch let error as TokenizerError {
            throw CLIError("cannot load the tokenizer of \(model): \(error)")
        }
    }
}

/// Sampling options shared by `run` and `chat`.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("temp"), help: "Temperature; 0 is greedy (default 0 for run, 0.7 for chat).")
    var temperature: Float?

    @Option(name: .customLong("top-k"), help: "Keep the k most likely tokens (0: all).")
    var topK: Int = 40

    @Option(name: .customLong("top-p"), help: "Keep the most likely tokens up to this total probability.")
    var topP: Float = 0.95

    @Option(name: .customLong("min-p"), help: "Drop tokens less likely than this fraction of the best.")
    var minP: Float = 0.05

    @Option(name: .customLong("repeat-penalty"), help: "Penalise recently seen tokens (1: off).")
    var repeatPenalty: Float = 1

    @Option(help: "Seed for reproducible sampling.")
    var seed: UInt64?

    func parameters(defaultTemperature: Float) throws -> SamplingParameters {
        let temperature = temperature ?? defaultTemperature
        guard temperature >= 0, topK >= 0, (0...1).contains(topP), (0...1).contains(minP), repeatPenalty > 0 else {
            throw CLIError("sampling options out of range: --temp ≥ 0, --top-k ≥ 0, --top-p and --min-p in 0…1, --repeat-penalty > 0")
        }
        return SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                  repetitionPenalty: repeatPenalty, seed: seed)
    }
}

/// Writes to standard output without buffering, for streamed tokens.
enum Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
