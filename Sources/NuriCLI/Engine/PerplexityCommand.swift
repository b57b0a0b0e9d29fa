import ArgumentParser
import Foundation
import NuriEngine

/// `nuri perplexity`
struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Measure a model's perplexity on a text file, as llama.cpp's llama-perplexity does.",
        discussion: """
            The text is cut into chunks of --ctx tokens; each chunk is scored on its second half.
            Prints the running estimate after each chunk, then the final one.

            Example:
              nuri perplexity models/SmolLM2-135M-Instruct.Q4_1.gguf ppl.txt --ctx 512
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Argument(help: "A UTF-8 text file.")
    var file: String

    func run() throws {
        let context = modelOptions.contextLength ?? 512
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw CLIError("cannot read \(file) as UTF-8 text")
        }
        let (model, tokenizer) = try modelOptions.load()
        // As llama-perplexity: tokenised with the special tokens the model adds (BOS for Gemma).
        let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: false)
        let addsBOS = tokenizer.encode("", addSpecial: true, parseSpecial: false).first == tokenizer.bosID && tokenizer.bosID != nil
        Terminal.error("\(tokens.count) tokens, \(tokens.count / context) chunks of \(context)\n")
        let started = ContinuousClock.now
        let result: Perplexity.Result
        do {
            result = try Perplexity.compute(model: model, tokens: tokens, context: context, bos: addsBOS ? tokenizer.bosID : nil) { chunk, value in
                Terminal.write("[\(chunk + 1)]\(String(format: "%.4f", value)),")
            }
        } catch {
            throw CLIError("\(error)")
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Terminal.write("\nFinal estimate: PPL = \(String(format: "%.4f", result.value)) (\(result.scoredTokens) tokens scored, \(String(format: "%.1f", Double(result.chunks * context) / seconds)) tokens/s)\n")
    }
}
