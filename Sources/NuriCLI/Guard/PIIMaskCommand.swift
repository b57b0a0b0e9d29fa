import ArgumentParser
import Foundation
import NuriGuard

/// `nuri pii mask`
struct PIIMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Print each line with its personal data masked.",
        discussion: """
            Modes:
              format       keep the layout and the harmless part:
                           900101-1******, 010-****-5678, 김*수
              placeholder  the type's name: [주민등록번호], [전화번호], [이름]
              pseudonym    a numbered name, the same for the same value:
                           [이름1] … [이름1], [이름2]

            Pseudonyms are consistent within one line (one request); with
            --same-request, across the whole input, as for the messages of one
            conversation. Under --jsonl the other fields of each object are kept.

            Examples:
              echo "김민수 님 010-1234-5678" | nuri pii mask
              nuri pii mask --mode pseudonym --same-request chat.txt
              nuri pii mask --jsonl --types RRN,PHONE requests.jsonl
            """
    )

    @OptionGroup var input: PIIInputOptions

    @Option(help: "How to replace what is found (see above).")
    var mode: MaskingMode = .format

    @Flag(name: .customLong("same-request"), help: "Keep one pseudonym table for the whole input, not one per line.")
    var sameRequest = false

    func run() throws {
        let scanner = try input.scanner()
        let output = OutputBuffer()
        var shared = PIIMasker()
        var failures = 0
        var lineNumber = 0
        try input.forEachLine { line in
            lineNumber += 1
            var masker = sameRequest ? shared : PIIMasker()
            defer { if sameRequest { shared = masker } }
            guard input.jsonl else {
                output.writeLine(masker.mask(line, entities: scanner.scan(line).entities, mode: mode))
                return
            }
            switch PIIInputOptions.text(ofJSONLine: line) {
            case .success(let parsed):
                var object = parsed.object
                object["text"] = masker.mask(parsed.text, entities: scanner.scan(parsed.text).entities, mode: mode)
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
                output.writeLine(String(decoding: data, as: UTF8.self))
            case .failure(let error):
                failures += 1
                output.writeLine(#"{"error": \#(PIIInputOptions.jsonString("line \(lineNumber): \(error.message)"))}"#)
            }
        } chunkDone: {
            output.flush()
        }
        output.flush()
        if failures > 0 {
            throw CLIError("\(failures) of \(lineNumber) lines were not JSON objects with a \"text\" string; drop --jsonl for plain text")
        }
    }
}

extension MaskingMode: ExpressibleByArgument {}
