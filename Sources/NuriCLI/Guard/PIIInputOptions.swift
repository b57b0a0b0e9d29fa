import ArgumentParser
import Foundation
import NuriGuard

/// The input and detection options `nuri pii scan` and `nuri pii mask` share.
struct PIIInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A UTF-8 text file, one text per line; '-' or nothing reads standard input.", valueName: "FILE|-"))
    var file: String = "-"

    @Flag(help: "Read JSON lines: one object per line, its \"text\" field is the text.")
    var jsonl = false

    @Option(help: ArgumentHelp("Only report these types, comma-separated (e.g. RRN,PHONE,PERSON).", valueName: "TYPES"))
    var types: String?

    @Option(name: .customLong("min-confidence"), help: ArgumentHelp("Leave out findings below this confidence (0…1).", valueName: "value"))
    var minimumConfidence: Double = 0

    func validate() throws {
        guard (0...1).contains(minimumConfidence) else {
            throw ValidationError("--min-confidence must be between 0 and 1, e.g. 0.8")
        }
        _ = try entityTypes()
    }

    /// The `--types` set, or every type.
    func entityTypes() throws -> Set<PIIEntityType> {
        guard let types else { return Set(PIIEntityType.allCases) }
        var result = Set<PIIEntityType>()
        for name in types.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces).uppercased()
            guard let type = PIIEntityType(rawValue: trimmed) else {
                let known = PIIEntityType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown type '\(name)' in --types; use some of: \(known)")
            }
            result.insert(type)
        }
        return result
    }

    func scanner() throws -> PIIScanner {
        PIIScanner(configuration: ScannerConfiguration(types: try entityTypes(), minimumConfidence: minimumConfidence))
    }

    /// Calls `body` with each input line (without its line break), in order, and `chunkDone`
    /// whenever the input has no more lines ready (the moment to flush output).
    func forEachLine(_ body: (String) throws -> Void, chunkDone: () -> Void = {}) throws {
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                throw CLIError("cannot open \(file): check the path, or pass '-' to read standard input")
            }
            handle = opened
        }
        try LineReader(handle).forEach(body, chunkDone: chunkDone)
    }

    /// The text of one JSON line, or a message saying why there is none.
    static func text(ofJSONLine line: String) -> Result<(object: [String: Any], text: String), LineError> {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            return .failure(LineError(message: "not a JSON object"))
        }
        guard let text = object["text"] as? String else {
            return .failure(LineError(message: "no \"text\" string field"))
        }
        return .success((object, text))
    }

    struct LineError: Error {
        let message: String
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
