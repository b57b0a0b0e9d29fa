import Foundation
import Yams

/// A `README.md` with YAML front matter (`---` … `---` at the top), read as the Hub reads it.
///
/// ``validate(_:requireLicense:)`` reports problems as the Hub's `validate-yaml` does: errors
/// (the card is refused) and warnings (it is accepted).
public enum ModelCard {
    /// The outcome of reading a card.
    public struct Validation: Sendable, Equatable {
        public var fields: ModelCardFields
        public var errors: [String]
        public var warnings: [String]
    }

    /// The front matter's text, or nil when the file has none.
    public static func frontMatter(of text: String) -> String? {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard normalised.hasPrefix("---\n") else { return nil }
        let body = normalised.dropFirst(4)
        if body.hasPrefix("---\n") || body == "---" { return "" }
        guard let end = body.range(of: "\n---\n") ?? body.range(of: "\n---", options: .anchored.union(.backwards)) else { return nil }
        return String(body[..<end.lowerBound])
    }

    /// Reads and checks a card. `requireLicense` is set for public repositories, whose cards must
    /// name a licence.
    public static func validate(_ text: String, requireLicense: Bool) -> Validation {
        var result = Validation(fields: .empty, errors: [], warnings: [])
        guard let yaml = frontMatter(of: text) else {
            if text.hasPrefix("---") { result.errors.append("the YAML front matter is not closed: end it with a line '---'") }
            else if requireLicense { result.warnings.append("no YAML front matter: add one with at least `license:` so others know how they may use the model") }
            return result
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            result.errors.append("Invalid YAML in the front matter: \(describe(error))")
            return result
        } catch {
            result.errors.append("Invalid YAML in the front matter: \(error)")
            return result
        }
        guard let node else { return result }
        guard let mapping = node.mapping else {
            result.errors.append("the front matter must be a YAML mapping (key: value lines)")
            return result
        }
        var fields = ModelCardFields.empty
        var object: [String: Any] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            object[name] = jsonValue(value)
        }
        func strings(_ field: String, allowSingle: Bool = true) -> [String]? {
            guard let value = mapping[field] else { return [] }
            if allowSingle, case .scalar = value, let text = value.string, !isNull(value) { return [text] }
            if let sequence = value.sequence {
                let items = sequence.compactMap { $0.scalar.map(\.string) }
                if items.count == sequence.count { return items }
            }
            if isNull(value) { return [] }
            result.errors.append("'\(field)' must be a string or a list of strings")
            return nil
        }
        func single(_ field: String) -> String? {
            guard let value = mapping[field], !isNull(value) else { return nil }
            guard case .scalar(let scalar) = value else {
                result.errors.append("'\(field)' must be a string")
                return nil
            }
            return scalar.string
        }
        fields.license = single("license")
        fields.pipelineTag = single("pipeline_tag")
        fields.libraryName = single("library_name")
        fields.languages = strings("language") ?? []
        fields.tags = strings("tags") ?? []
        fields.baseModels = strings("base_model") ?? []
        for base in fields.baseModels where (try? RepositoryID(parsing: base)) == nil {
            result.errors.append("'base_model' must name repositories as 'owner/name', not '\(base.prefix(100))'")
        }
        if requireLicense && fields.license == nil {
            result.errors.append("'license' is required for public repositories (e.g. `license: apache-2.0`)")
        }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            fields.json = String(decoding: data, as: UTF8.self)
        }
        result.fields = fields
        return result
    }

    /// A YAML node as a JSON value (scalars by their resolved tag).
    static func jsonValue(_ node: Node) -> Any {
        switch node {
        case .scalar(let scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return NSNull()
            case Tag.Name.bool.rawValue: return node.bool ?? scalar.string
            case Tag.Name.int.rawValue: return node.int ?? scalar.string
            case Tag.Name.float.rawValue: return node.float.flatMap { $0.isFinite ? $0 : nil } ?? scalar.string
            default: return scalar.string
            }
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping { object[key.string ?? "\(key)"] = jsonValue(value) }
            return object
        case .sequence(let sequence):
            return sequence.map(jsonValue)
        case .alias:
            return NSNull()
        }
    }

    static func isNull(_ node: Node) -> Bool { node.tag.rawValue == Tag.Name.null.rawValue }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            return "\(problem)\(context.map { " \($0.text)" } ?? "") at line \(mark.line), column \(mark.column)"
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "syntax error"
        }
    }
}
