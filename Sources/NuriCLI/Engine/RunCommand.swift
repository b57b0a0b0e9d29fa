import ArgumentParser
import Foundation
import NuriEngine

/// `nuri run`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Continue a prompt with a GGUF model, streaming the tokens to standard output.",
        discussion: """
            The prompt is used as it is (no chat template; see `nuri chat`). Greedy by default,
            so the output is the model's most likely continuation, the same as llama.cpp's.

            Example:
              nuri run models/SmolLM2-135M-Instruct.Q4_1.gguf "The capital of South Korea is" -n 32
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "The prompt.")
    var prompt: String

    @Option(name: [.short, .customLong("max-tokens")], help: "Tokens to generate at most.")
    var maxTokens: Int = 128

    @Option(help: "Stop when this text appears (repeatable).")
    var stop: [String] = []

    @OptionGroup var sampling: SamplingOptions

    @Flag(help: "Print timing figures to standard error at the end.")
    var verbose = false

    func run() throws {
        guard maxTokens > 0 else { throw CLIError("-n/--max-tokens must be at least 1") }
        let parameters = try sampling.parameters(defaultTemperature: 0)
        let (model, tokenizer) = try modelOptions.load()
        let session = Session(model: model, tokenizer: tokenizer, contextLength: modelOptions.contextLength)
        let ids = tokenizer.encode(prompt, addSpecial: true, parseSpecial: true)
        let started = ContinuousClock.now
        do {
            let summary = try session.generate(prompt: ids, maxTokens: maxTokens, sampling: parameters, stop: stop) { chunk in
                Terminal.write(chunk.text)
                return true
            }
            Terminal.write("\n")
            if verbose {
                let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
                Terminal.error("\(summary.promptTokens) prompt tokens, \(summary.generatedTokens.count) generated in \(String(format: "%.2f", seconds)) s; finish: \(summary.finishReason.rawValue)\n")
            }
        } catch {
            throw CLIError("\(error)")
        }
    }
}
