/// The Python methods templates call on values: `content.strip()`, `message.get('x')`,
/// `tool.items()`. Hugging Face renders in Jinja's immutable sandbox, so methods that would
/// change a list or dict (`append`, `pop`, `update` …) fail there and fail here.
enum JinjaMethods {
    private static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "upper", "lower", "title", "capitalize",
        "replace", "find", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
        "splitlines", "format",
    ]
    private static let objectMethods: Set<String> = ["items", "keys", "values", "get"]
    private static let listMethods: Set<String> = ["index", "count"]
    /// Mutating methods the sandbox refuses to call.
    private static let unsafeObjectMethods: Set<String> = ["pop", "popitem", "update", "clear", "setdefault"]
    private static let unsafeListMethods: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear",
    ]

    /// Whether `value.name` is a method (Jinja looks attributes up before keys).
    static func has(_ name: String, on value: JinjaValue) -> Bool {
        switch value {
        case .string: return stringMethods.contains(name)
        case .object: return objectMethods.contains(name) || unsafeObjectMethods.contains(name)
        case .array: return listMethods.contains(name) || unsafeListMethods.contains(name)
        case .tuple: return listMethods.contains(name)
        default: return false
        }
    }

    static func call(_ receiver: JinjaValue, _ name: String, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        switch receiver {
        case .string(let string): return try callOnString(string, name, arguments)
        case .object(let object): return try callOnObject(object, name, arguments)
        case .array(let values), .tuple(let values): return try callOnList(values, name, arguments)
        case .loop(let loop) where name == "cycle":
            guard !arguments.positional.isEmpty else { throw .runtime("no items for cycling given") }
            return arguments.positional[loop.index0 % arguments.positional.count]
        default:
            throw .runtime("'\(receiver.typeName)' object has no method '\(name)'")
        }
    }

    // MARK: - str

    private static func callOnString(_ string: String, _ name: String, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        func text(_ index: Int, _ parameter: String) throws(ChatTemplateError) -> String? {
            guard let value = arguments.value(index, parameter) else { return nil }
            switch value {
            case .none: return nil
            case .string(let text): return text
            default: throw .runtime("str.\(name)() argument must be str or None, not \(value.typeName)")
            }
        }
        func integer(_ index: Int, _ parameter: String, default fallback: Int) throws(ChatTemplateError) -> Int {
            guard let value = arguments.value(index, parameter) else { return fallback }
            guard let integer = value.integerValue else {
                throw .runtime("str.\(name)() argument must be int, not \(value.typeName)")
            }
            return integer
        }
        let scalars = string.unicodeScalars
        switch name {
        case "strip", "lstrip", "rstrip":
            try arguments.check("str.\(name)", parameters: ["chars"])
            return .string(PythonText.strip(string, chars: try text(0, "chars"), leading: name != "rstrip", trailing: name != "lstrip"))
        case "startswith", "endswith":
            try arguments.check("str.\(name)", parameters: ["prefix"])
            guard let affix = arguments.value(0, "prefix") else { throw .runtime("str.\(name)() takes one argument") }
            let candidates: [JinjaValue]
            switch affix {
            case .array(let values), .tuple(let values): candidates = values
            default: candidates = [affix]
            }
            for candidate in candidates {
                guard case .string(let text) = candidate else {
                    throw .runtime("str.\(name)() argument must be str or a tuple of str, not \(candidate.typeName)")
                }
                let found = name == "startswith"
                    ? scalars.starts(with: text.unicodeScalars)
                    : scalars.reversed().starts(with: text.unicodeScalars.reversed())
                if found { return .bool(true) }
            }
            return .bool(false)
        case "split":
            try arguments.check("str.split", parameters: ["sep", "maxsplit"])
            let separator = try text(0, "sep")
            if separator == "" { throw .runtime("empty separator") }
            let parts = PythonText.split(string, separator: separator, maxSplit: try integer(1, "maxsplit", default: -1))
            return .array(parts.map { .string($0) })
        case "splitlines":
            return .array(PythonText.splitLines(string).map { .string($0) })
        case "upper": return .string(PythonText.upper(string))
        case "lower": return .string(PythonText.lower(string))
        case "title": return .string(PythonText.title(string))
        case "capitalize": return .string(PythonText.capitalize(string))
        case "replace":
            try arguments.check("str.replace", parameters: ["old", "new", "count"])
            guard let old = try text(0, "old"), let new = try text(1, "new") else {
                throw .runtime("str.replace() needs two string arguments")
            }
            return .string(try PythonText.boundedReplace(string, old, new, count: try integer(2, "count", default: -1)))
        case "find", "count":
            try arguments.check("str.\(name)", parameters: ["sub"])
            guard let needle = try text(0, "sub") else { throw .runtime("str.\(name)() needs a string argument") }
            let found = PythonText.occurrences(of: needle, in: string)
            return .int(name == "find" ? found.first : found.count)
        case "join":
            try arguments.check("str.join", parameters: ["iterable"])
            guard let iterable = arguments.value(0, "iterable") else { throw .runtime("str.join() takes one argument") }
            var parts: [String] = []
            for (index, item) in try iterable.iterated().enumerated() {
                guard case .string(let part) = item else {
                    throw .runtime("sequence item \(index): expected str instance, \(item.typeName) found")
                }
                parts.append(part)
            }
            return .string(try JinjaFilters.joined(parts, separator: string))
        case "isdigit":
            return .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.numericType == .digit || $0.properties.numericType == .decimal })
        case "isalpha":
            return .bool(!scalars.isEmpty && scalars.allSatisfy(isLetter))
        case "isalnum":
            return .bool(!scalars.isEmpty && scalars.allSatisfy { isLetter($0) || $0.properties.numericType != nil })
        case "isspace":
            return .bool(!scalars.isEmpty && scalars.allSatisfy(PythonText.isWhitespace))
        case "islower", "isupper":
            let cased = scalars.filter { $0.properties.isCased }
            let wanted: (Unicode.Scalar) -> Bool = name == "islower" ? { $0.properties.isLowercase } : { $0.properties.isUppercase }
            return .bool(!cased.isEmpty && cased.allSatisfy(wanted))
        case "format":
            throw .runtime("str.format() is not supported; use '~' or '+' to build strings")
        default:
            throw .runtime("'str' object has no method '\(name)'")
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    // MARK: - dict and list

    private static func callOnObject(_ object: JinjaObject, _ name: String, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "items":
            try arguments.check("dict.items", parameters: [])
            return .array(object.pairs.map { .tuple([.string($0.key), $0.value]) })
        case "keys":
            try arguments.check("dict.keys", parameters: [])
            return .array(object.keys.map { .string($0) })
        case "values":
            try arguments.check("dict.values", parameters: [])
            return .array(object.pairs.map(\.value))
        case "get":
            try arguments.check("dict.get", parameters: ["key", "default"])
            guard let key = arguments.value(0, "key") else { throw .runtime("dict.get() needs a key") }
            if case .string(let name) = key, let value = object[name] { return value }
            return arguments.value(1, "default") ?? .none
        default:
            throw .runtime("access to method '\(name)' of 'dict' object is unsafe: templates cannot change their input")
        }
    }

    private static func callOnList(_ values: [JinjaValue], _ name: String, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "index", "count":
            try arguments.check("list.\(name)", parameters: ["value"])
            guard let target = arguments.value(0, "value") else { throw .runtime("list.\(name)() takes one argument") }
            if name == "count" { return .int(values.filter { JinjaValue.pythonEqual($0, target) }.count) }
            guard let index = values.firstIndex(where: { JinjaValue.pythonEqual($0, target) }) else {
                throw .runtime("\(target.pythonRepr) is not in list")
            }
            return .int(index)
        default:
            throw .runtime("access to method '\(name)' of 'list' object is unsafe: templates cannot change their input")
        }
    }
}
