import ArgumentParser
import Foundation
import NuriEngine

/// `nuri chat`
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model in the terminal; the conversation is kept between turns.",
        discussion: """
            Messages are rendered with the model's own chat template (tokenizer.chat_template);
            a model without one gets ChatML. Each turn evaluates only the new tokens: the
            conversation so far stays in the model's cache. Type /reset to start over, /exit (or
            end the input) to leave.

            Example:
              nuri chat models/SmolLM2-135M-Instruct.Q4_1.gguf --system "You answer in one sentence."
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "A system message that opens the conversation.")
    var system: String?

    @Option(name: [.customShort("n"), .customLong("max-tokens")], help: "Tokens per answer at most.")
    var maxTokens: Int = 512

    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let parameters = try sampling.parameters(defaultTemperature: 0.7)
        let (model, tokenizer) = try modelOptions.load()
        let (source, isFallback) = ChatTemplate.source(for: model.file)
        if isFallback { Terminal.error("note: the model has no chat template; using ChatML\n") }
        let template: ChatTemplate
        do {
            template = try ChatTemplate(source: source)
        } catch {
            throw CLIError("the model's chat template cannot be used: \(error)")
        }
        let bos = tokenizer.bosID.flatMap(tokenizer.tokenText) ?? ""
        let eos = tokenizer.eosID.flatMap(tokenizer.tokenText) ?? ""
        let session = Session(model: model, tokenizer: tokenizer, contextLength: modelOptions.contextLength)
        var messages: [ChatMessage] = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
        let interactive = isatty(STDIN_FILENO) != 0
        while true {
            if interactive { Terminal.write("> ") }
            guard let line = readLine() else { break }
            let input = line.trimmingCharacters(in: .whitespaces)
            if input.isEmpty { continue }
            if input == "/exit" || input == "/quit" { break }
            if input == "/reset" {
                messages = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
                session.reset()
                Terminal.write("(conversation cleared)\n")
                continue
            }
            messages.append(ChatMessage(role: "user", content: input))
            let prompt: String
            do {
                prompt = try template.render(messages: messages, addGenerationPrompt: true, bosToken: bos, eosToken: eos)
            } catch {
                throw CLIError("cannot render the conversation with the model's template: \(error)")
            }
            // The template writes BOS itself where the model wants it.
            let ids = tokenizer.encode(prompt, addSpecial: false, parseSpecial: true)
            do {
                let summary = try session.generate(prompt: ids, maxTokens: maxTokens, sampling: parameters) { chunk in
                    Terminal.write(chunk.text)
                    return true
                }
                Terminal.write("\n")
                messages.append(ChatMessage(role: "assistant", content: summary.text.trimmingCharacters(in: .whitespacesAndNewlines)))
            } catch EngineError.contextFull(let limit, _) {
                Terminal.error("the conversation no longer fits the context of \(limit) tokens; /reset to start over\n")
                messages.removeLast()
            } catch {
                throw CLIError("\(error)")
            }
        }
    }
}
