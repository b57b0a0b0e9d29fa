import ArgumentParser
import Foundation
import NuriGuard

/// `nuri pii scan`
struct PIIScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Print the personal data found in each line, as one JSON object per line.",
        discussion: """
            Every input line gives exactly one output line, for example for
            "연락처 010-1234-5678":
              {"entities": [{"type": "PHONE", "start": 4, "end": 17,
                "confidence": 0.95, "rule": "phone.mobile"}], "sensitive": []}
            (on one line). start/end are Unicode code point offsets, end exclusive,
            as Python indexes a str; confidence is 0…1; rule names the check that
            fired. Under --jsonl, a line that is not an object with a "text" string
            gives {"entities": [], "error": "…"}, and the command exits with
            status 1 at the end.

            Examples:
              echo "연락처 010-1234-5678" | nuri pii scan
              nuri pii scan prompts.txt > findings.jsonl
              nuri pii scan --jsonl --types RRN,ARN,PHONE requests.jsonl
            """
    )

    @OptionGroup var input: PIIInputOptions

    @Flag(name: .customLong("no-sensitive"), help: "Leave out the \"sensitive\" key.")
    var noSensitive = false

    func run() throws {
        let scanner = try input.scanner()
        let output = OutputBuffer()
        var failures = 0
        var lineNumber = 0
        try input.forEachLine { line in
            lineNumber += 1
            var text = line
            if input.jsonl {
                switch PIIInputOptions.text(ofJSONLine: line) {
                case .success(let parsed): text = parsed.text
                case .failure(let error):
                    failures += 1
                    if failures == 1 { FileHandle.standardError.write(Data("nuri pii scan: line \(lineNumber): \(error.message)\n".utf8)) }
                    output.writeLine(#"{"entities": [], "error": \#(PIIInputOptions.jsonString("line \(lineNumber): \(error.message)"))}"#)
                    return
                }
            }
            output.writeLine(scanner.scan(text).jsonLine(includingSensitive: !noSensitive))
        } chunkDone: {
            output.flush()
        }
        output.flush()
        if failures > 0 {
            throw CLIError("\(failures) of \(lineNumber) lines were not JSON objects with a \"text\" string; drop --jsonl for plain text")
        }
    }
}
