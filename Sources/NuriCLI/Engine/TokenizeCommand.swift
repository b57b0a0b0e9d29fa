import ArgumentParser
import NuriEngine

/// `nuri tokenize`
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text, as the model's tokenizer splits it.",
        discussion: """
            Without --bos, no BOS token is added (like llama-tokenize --no-bos). Special-token
            text such as <|im_start|> is parsed as a special token only with --special.

            Example:
              nuri tokenize models/SmolLM2-135M-Instruct.Q4_1.gguf "대한민국의 수도는 서울입니다."
            """
    )

    @Argument(help: "Path to a GGUF model file.")
    var model: String

    @Argument(help: "The text to tokenize.")
    var text: String

    @Flag(help: "Add the BOS/EOS tokens the model's metadata asks for.")
    var bos = false

    @Flag(help: "Parse special-token text as special tokens.")
    var special = false

    @Flag(help: "Print each id with its text, one per line.")
    var pieces = false

    func run() throws {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(gguf: try GGUFFile(path: model))
        } catch {
            throw CLIError("cannot read the tokenizer of \(model): \(error)")
        }
        let ids = tokenizer.encode(text, addSpecial: bos, parseSpecial: special)
        if pieces {
            for id in ids { print("\(id)\t\(String(reflecting: tokenizer.decode([id], renderSpecial: true)))") }
        } else {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        }
    }
}
