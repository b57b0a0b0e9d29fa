import Foundation
import NuriIdentity
import Yams

/// The `models` and `remotes` settings: from a flag or the environment as spec strings, from the
/// config file as mappings. Both forms give the same ``ServerConfiguration/ModelSpec`` and
/// ``ServerConfiguration/RemoteSpec`` values and are checked by the same rules.
///
/// ```
/// --model  "smollm2=models/SmolLM2-135M-Instruct.Q4_1.gguf"             every caller
/// --model  "private=models/x.gguf;org=seoul-city;org=kaist"             members of those two only
/// --remote "name=llama;url=http://gpu1:8000/v1;model=meta/llama;key-env=KEY;jurisdiction=KR;relationship=entrusted;org=seoul-city"
/// ```
///
/// ```yaml
/// models:
///   smollm2: models/SmolLM2-135M-Instruct.Q4_1.gguf
///   private: {path: models/x.gguf, organisations: [seoul-city, kaist]}
/// remotes:
///   llama:
///     urls: [http://gpu1:8000/v1, http://gpu2:8000/v1]
///     model: meta/llama
///     key_env: KEY
///     jurisdiction: KR
///     relationship: entrusted
///     organisations: [seoul-city]
/// ```
enum ModelSettings {
    static let modelSyntax = "give each model as NAME=PATH.gguf[;org=ORG…], e.g. --model smollm2=models/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let remoteSyntax = "write each remote as name=NAME;url=URL[;url=URL…][;model=UPSTREAM][;key-env=VAR][;jurisdiction=KR][;relationship=in_house|entrusted|third_party][;org=ORG…]"
    static let modelKeys = ["path", "organisations"]
    static let remoteKeys = ["urls", "model", "key_env", "jurisdiction", "relationship", "organisations"]

    /// A problem with one value, said without where it came from (the caller adds that).
    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    // MARK: Spec strings (flags, environment)

    /// `NAME=PATH[;org=ORG…]`, several separated by commas.
    static func models(text: String) throws(Problem) -> [ServerConfiguration.ModelSpec] {
        var specs: [ServerConfiguration.ModelSpec] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let head = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard head.count == 2, !head[0].isEmpty, !head[1].isEmpty else { throw Problem(modelSyntax) }
            var organisations: [String]?
            for field in parts.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0] == "org" else {
                    throw Problem("model '\(head[0])': unknown field '\(pair[0])' (only org=ORG may follow the path); \(modelSyntax)")
                }
                organisations = (organisations ?? []) + [pair[1]]
            }
            specs.append(try model(name: head[0], path: head[1], organisations: organisations, existing: specs))
        }
        return specs
    }

    /// Remote specs separated by `|`.
    static func remotes(text: String) throws(Problem) -> [ServerConfiguration.RemoteSpec] {
        var specs: [ServerConfiguration.RemoteSpec] = []
        for item in text.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            var fields: [String: [String]] = [:]
            for part in item.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { throw Problem(remoteSyntax) }
                fields[pair[0], default: []].append(pair[1])
            }
            let known: Set = ["name", "url", "model", "key-env", "jurisdiction", "relationship", "org"]
            if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) { throw Problem("unknown remote field '\(unknown)'") }
            for (field, values) in fields where field != "url" && field != "org" && values.count > 1 {
                throw Problem("remote field '\(field)' is given \(values.count) times")
            }
            guard let name = fields["name"]?.first, let urls = fields["url"], !urls.isEmpty else {
                throw Problem("a remote needs name=NAME and at least one url=URL")
            }
            specs.append(try remote(name: name, urls: urls, model: fields["model"]?.first, keyEnvironmentVariable: fields["key-env"]?.first,
                                    jurisdiction: fields["jurisdiction"]?.first, relationship: fields["relationship"]?.first,
                                    organisations: fields["org"], existing: specs))
        }
        return specs
    }

    // MARK: Mappings (config file)

    /// `NAME: PATH` or `NAME: {path: PATH, organisations: [ORG, …]}`.
    static func models(node: Node) throws(Problem) -> [ServerConfiguration.ModelSpec] {
        if let text = node.scalar?.string { return try models(text: text) }
        guard let mapping = node.mapping else { throw Problem("give models as a mapping NAME: PATH.gguf") }
        var specs: [ServerConfiguration.ModelSpec] = []
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            if let path = value.scalar?.string {
                specs.append(try model(name: name, path: path, organisations: nil, existing: specs))
                continue
            }
            guard let fields = value.mapping else {
                throw Problem("model '\(name)': give a path, or a mapping with \(modelKeys.joined(separator: " and "))")
            }
            let values = try keyed(fields, known: modelKeys, what: "model '\(name)'")
            guard let path = values["path"]?.scalar?.string else { throw Problem("model '\(name)': path is missing") }
            let organisations = try values["organisations"].map { node throws(Problem) in try strings(node, what: "model '\(name)': organisations") }
            specs.append(try model(name: name, path: path, organisations: organisations, existing: specs))
        }
        return specs
    }

    /// `NAME: {urls: [URL, …], model, key_env, jurisdiction, relationship, organisations: [ORG, …]}`;
    /// a spec string (the `--remote` syntax) is accepted too.
    static func remotes(node: Node) throws(Problem) -> [ServerConfiguration.RemoteSpec] {
        if let text = node.scalar?.string { return try remotes(text: text) }
        guard let mapping = node.mapping else {
            throw Problem("give remotes as a mapping NAME: {urls: [URL, …], model: UPSTREAM, key_env: VAR, jurisdiction: KR, relationship: entrusted}")
        }
        var specs: [ServerConfiguration.RemoteSpec] = []
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            guard let fields = value.mapping else {
                throw Problem("remote '\(name)': give a mapping with \(remoteKeys.joined(separator: ", "))")
            }
            let values = try keyed(fields, known: remoteKeys, what: "remote '\(name)'")
            guard let urlNode = values["urls"] else { throw Problem("remote '\(name)': urls is missing (a list of base URLs)") }
            func scalar(_ key: String) throws(Problem) -> String? {
                guard let node = values[key] else { return nil }
                guard let text = node.scalar?.string else { throw Problem("remote '\(name)': \(key) must be a single value") }
                return text
            }
            specs.append(try remote(
                name: name, urls: try strings(urlNode, what: "remote '\(name)': urls"), model: try scalar("model"),
                keyEnvironmentVariable: try scalar("key_env"), jurisdiction: try scalar("jurisdiction"),
                relationship: try scalar("relationship"),
                organisations: try values["organisations"].map { node throws(Problem) in try strings(node, what: "remote '\(name)': organisations") },
                existing: specs))
        }
        return specs
    }

    // MARK: Rules both forms share

    static func model(name: String, path: String, organisations: [String]?, existing: [ServerConfiguration.ModelSpec]) throws(Problem) -> ServerConfiguration.ModelSpec {
        guard !name.isEmpty, !path.isEmpty else { throw Problem(modelSyntax) }
        guard !existing.contains(where: { $0.name == name }) else { throw Problem("the model name '\(name)' is given twice") }
        return .init(name: name, path: (path as NSString).expandingTildeInPath,
                     organisations: try organisations.map { list throws(Problem) in try checked(list, of: "model '\(name)'") })
    }

    static func remote(name: String, urls: [String], model: String?, keyEnvironmentVariable: String?, jurisdiction: String?,
                       relationship: String?, organisations: [String]?, existing: [ServerConfiguration.RemoteSpec]) throws(Problem) -> ServerConfiguration.RemoteSpec {
        guard !name.isEmpty else { throw Problem("a remote needs a name") }
        guard !existing.contains(where: { $0.name == name }) else { throw Problem("the remote name '\(name)' is given twice") }
        guard !urls.isEmpty else { throw Problem("remote '\(name)': give at least one url") }
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw Problem("remote '\(name)': url '\(url)' must start with http:// or https://")
        }
        let relationship = relationship ?? "third_party"
        guard ["in_house", "entrusted", "third_party"].contains(relationship) else {
            throw Problem("remote '\(name)': relationship must be in_house, entrusted or third_party")
        }
        let jurisdiction = (jurisdiction ?? "").uppercased()
        guard jurisdiction.count == 2, jurisdiction.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw Problem("remote '\(name)': give jurisdiction=CC, the two-letter country where it processes data")
        }
        if let keyEnvironmentVariable, keyEnvironmentVariable.isEmpty || keyEnvironmentVariable.contains("=") {
            throw Problem("remote '\(name)': key-env names the environment variable holding the key, e.g. UPSTREAM_KEY")
        }
        return .init(name: name, urls: urls, upstreamModel: model ?? name, keyEnvironmentVariable: keyEnvironmentVariable,
                     jurisdiction: jurisdiction, relationship: relationship,
                     organisations: try organisations.map { list throws(Problem) in try checked(list, of: "remote '\(name)'") })
    }

    /// Organisation names, checked by the identity rules, without repeats.
    static func checked(_ organisations: [String], of what: String) throws(Problem) -> [String] {
        var seen = Set<String>(), names: [String] = []
        for name in organisations {
            do {
                try Name.validate(name, kind: "organisation")
            } catch {
                throw Problem("\(what): \(error.description)")
            }
            if seen.insert(name.lowercased()).inserted { names.append(name) }
        }
        return names
    }

    // MARK: YAML helpers

    /// A mapping's values by key; a key outside `known` is refused by name.
    static func keyed(_ mapping: Node.Mapping, known: [String], what: String) throws(Problem) -> [String: Node] {
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            guard known.contains(name) else {
                throw Problem("\(what): unknown key '\(name)'; known keys: \(known.joined(separator: ", "))")
            }
            values[name] = value
        }
        return values
    }

    /// A list of strings (a single string counts as a list of one).
    static func strings(_ node: Node, what: String) throws(Problem) -> [String] {
        if let sequence = node.sequence {
            var items: [String] = []
            for item in sequence {
                guard let text = item.scalar?.string else { throw Problem("\(what) must be a list of names or URLs") }
                items.append(text)
            }
            return items
        }
        if let text = node.scalar?.string, !text.isEmpty { return [text] }
        throw Problem("\(what) must be a list")
    }
}
