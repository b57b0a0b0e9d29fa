/// The filters (`value | name(arguments)`) chat templates use, with Jinja 3.1's behaviour, plus
/// Hugging Face's replacement for `tojson`. Names outside ``names`` are rejected when a template
/// is parsed, so an unknown filter is a load-time error, as it is in Jinja.
enum JinjaFilters {
    static let names: Set<String> = [
        "abs", "capitalize", "count", "d", "default", "first", "float", "indent", "int", "items", "join", "last",
        "length", "list", "lower", "map", "reject", "rejectattr", "replace", "reverse", "safe", "select",
        "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper",
    ]

    static func apply(_ name: String, _ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "abs":
            switch value {
            case .int(let integer) where integer != .min: return .int(abs(integer))
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .double(let double): return .double(abs(double))
            default: throw .runtime("bad operand type for abs(): '\(value.typeName)'")
            }
        case "capitalize": return .string(PythonText.capitalize(value.pythonString))
        case "count", "length": return .int(try length(of: value))
        case "d", "default":
            try arguments.check(name, parameters: ["default_value", "boolean"])
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "first":
            return try value.iterated().first ?? .undefined(hint: "no first item, sequence was empty")
        case "last":
            if case .iterator = value { throw .runtime("'generator' object is not reversible") }
            return try value.iterated().last ?? .undefined(hint: "no last item, sequence was empty")
        case "float":
            try arguments.check(name, parameters: ["default"])
            if value.isUndefined { throw value.undefinedError() }
            return float(value) ?? arguments.value(0, "default") ?? .double(0)
        case "int":
            try arguments.check(name, parameters: ["default", "base"])
            if value.isUndefined { throw value.undefinedError() }
            let base = arguments.value(1, "base")?.integerValue ?? 10
            return integer(value, base: base) ?? arguments.value(0, "default") ?? .int(0)
        case "indent": return try indent(value, arguments)
        case "items":
            switch value {
            case .undefined: return .iterator([])
            case .object(let object): return .iterator(object.pairs.map { .tuple([.string($0.key), $0.value]) })
            default: throw .runtime("Can only get item pairs from a mapping.")
            }
        case "join":
            try arguments.check(name, parameters: ["d", "attribute"])
            var items = try value.iterated()
            if let attribute = arguments.value(1, "attribute") { items = try items.map { (item) throws(ChatTemplateError) in try lookup(item, attribute) } }
            return .string(try joined(items.map(\.pythonString), separator: arguments.value(0, "d")?.pythonString ?? ""))
        case "list": return .array(try value.iterated())
        case "lower": return .string(PythonText.lower(value.pythonString))
        case "upper": return .string(PythonText.upper(value.pythonString))
        case "map": return .iterator(try map(value, arguments))
        case "select", "reject", "selectattr", "rejectattr": return .iterator(try select(name, value, arguments))
        case "replace":
            try arguments.check(name, parameters: ["old", "new", "count"])
            guard let old = arguments.value(0, "old"), let new = arguments.value(1, "new") else {
                throw .runtime("replace() needs the old and the new text")
            }
            let count = arguments.value(2, "count").flatMap { $0.integerValue } ?? -1
            return .string(try PythonText.boundedReplace(value.pythonString, old.pythonString, new.pythonString, count: count))
        case "reverse":
            switch value {
            case .string(let string): return .string(PythonText.fromScalars(string.unicodeScalars.reversed()))
            case .iterator(let values): return .array(values.reversed())
            default: return .iterator(try value.iterated().reversed())
            }
        case "safe":
            // `Markup(value)`: text, which for a string is the string itself.
            return .string(value.pythonString)
        case "sort": return .array(try sort(value, arguments))
        case "string": return .string(try JinjaValue.checked(value.pythonString))
        case "sum":
            try arguments.check(name, parameters: ["attribute", "start"])
            var total = arguments.value(1, "start") ?? .int(0)
            for item in try value.iterated() {
                let term = try arguments.value(0, "attribute").map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
                total = try JinjaValue.arithmetic(.add, total, term)
            }
            return total
        case "title": return .string(PythonText.jinjaTitle(value.pythonString))
        case "tojson": return .string(try value.json(try jsonStyle(arguments)))
        case "trim":
            try arguments.check(name, parameters: ["chars"])
            let chars: String? = if case .string(let text)? = arguments.value(0, "chars") { text } else { nil }
            return .string(PythonText.strip(value.pythonString, chars: chars))
        case "unique": return .iterator(try unique(value, arguments))
        default:
            throw JinjaNameCheck.unknownFilter(name)
        }
    }

    /// `separator.join(parts)`, refused when the result would be larger than the size limit.
    static func joined(_ parts: [String], separator: String) throws(ChatTemplateError) -> String {
        var total = separator.utf8.count * max(parts.count - 1, 0)
        for part in parts { total += part.utf8.count }
        if total > JinjaValue.maximumSize { throw .runtime("joined text is larger than \(JinjaValue.maximumSize) bytes") }
        return parts.joined(separator: separator)
    }

    static func length(of value: JinjaValue) throws(ChatTemplateError) -> Int {
        switch value {
        case .undefined: return 0
        case .string(let string): return string.unicodeScalars.count
        case .array(let values), .tuple(let values): return values.count
        case .object(let object): return object.count
        default: throw .runtime("object of type '\(value.typeName)' has no len()")
        }
    }

    /// `float(value)` as Jinja's filter does it: nil when Python's `float()` would fail.
    private static func float(_ value: JinjaValue) -> JinjaValue? {
        switch value {
        case .double: return value
        case .int, .bool: return value.numericValue.map { .double($0) }
        case .string(let string):
            let trimmed = PythonText.strip(string, chars: nil).replacingUnderscoresBetweenDigits()
            switch trimmed.lowercased() {
            case "inf", "+inf", "infinity", "+infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan", "+nan", "-nan": return .double(.nan)
            default: return Double(trimmed).map { .double($0) }
            }
        default: return nil
        }
    }

    /// Jinja's `int`: `int(value)`, else `int(float(value))` so `'42.5' | int` is 42, else nil.
    private static func integer(_ value: JinjaValue, base: Int) -> JinjaValue? {
        switch value {
        case .int, .bool: return value.integerValue.map { .int($0) }
        case .double(let double):
            guard double.isFinite, let truncated = Int(exactly: double.rounded(.towardZero)) else { return nil }
            return .int(truncated)
        case .string(let string):
            var text = PythonText.strip(string, chars: nil).replacingUnderscoresBetweenDigits()
            if base == 16, text.lowercased().hasPrefix("0x") { text.removeFirst(2) }
            if (2...36).contains(base), let parsed = Int(text, radix: base) { return .int(parsed) }
            return float(value).flatMap { integer($0, base: 10) }
        default: return nil
        }
    }

    private static func indent(_ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        try arguments.check("indent", parameters: ["width", "first", "blank"])
        let width = arguments.value(0, "width") ?? .int(4)
        let indentation: String
        if case .string(let text) = width {
            indentation = text
        } else {
            indentation = String(repeating: " ", count: try boundedWidth(width.integerValue ?? 4))
        }
        let first = arguments.value(1, "first")?.isTruthy ?? false
        let blank = arguments.value(2, "blank")?.isTruthy ?? false
        // Jinja appends "\n" to the value, which only works on text.
        guard case .string(let text) = value else {
            if value.isUndefined { throw value.undefinedError() }
            throw .runtime("unsupported operand type(s) for +=: '\(value.typeName)' and 'str'")
        }
        // Jinja appends a newline before splitting so a trailing newline survives `splitlines()`.
        var lines = PythonText.splitLines(text + "\n")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indentation)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        return .string(first ? indentation + result : result)
    }

    /// A width for `indent`/`tojson`, refused when absurd so it cannot exhaust memory.
    private static func boundedWidth(_ width: Int) throws(ChatTemplateError) -> Int {
        guard width <= 1024 else { throw .runtime("indent width \(width) is larger than 1024") }
        return max(width, 0)
    }

    /// `attribute` may be dotted (`'function.name'`) or an index; each step is `value[step]`.
    static func lookup(_ item: JinjaValue, _ attribute: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        guard case .string(let path) = attribute else { return try item.item(attribute) }
        var current = item
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            if let index = Int(part) {
                current = try current.item(.int(index))
            } else {
                current = try current.item(.string(String(part)))
            }
        }
        return current
    }

    private static func map(_ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> [JinjaValue] {
        let items = try value.iterated()
        if let attribute = arguments.keywords.first(where: { $0.name == "attribute" })?.value {
            let fallback = arguments.keywords.first { $0.name == "default" }?.value
            return try items.map { (item) throws(ChatTemplateError) in
                let found = try lookup(item, attribute)
                return found.isUndefined ? (fallback ?? found) : found
            }
        }
        guard case .string(let filter)? = arguments.positional.first else {
            throw .runtime("map() needs a filter name or attribute=")
        }
        guard names.contains(filter) else { throw JinjaNameCheck.unknownFilter(filter) }
        let rest = JinjaCallValues(positional: Array(arguments.positional.dropFirst()), keywords: arguments.keywords)
        return try items.map { (item) throws(ChatTemplateError) in try apply(filter, item, rest) }
    }

    /// `select`/`reject` test each item; the `…attr` forms test one attribute of each item.
    private static func select(_ name: String, _ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> [JinjaValue] {
        let byAttribute = name.hasSuffix("attr")
        let keep = name.hasPrefix("select")
        var positional = arguments.positional
        var attribute: JinjaValue?
        if byAttribute {
            guard !positional.isEmpty else { throw .runtime("\(name)() needs an attribute name") }
            attribute = positional.removeFirst()
        }
        var test: String?
        if !positional.isEmpty {
            guard case .string(let testName) = positional.removeFirst() else { throw .runtime("\(name)() needs a test name") }
            guard JinjaPredicates.names.contains(testName) else { throw JinjaNameCheck.unknownTest(testName) }
            test = testName
        }
        let testArguments = JinjaCallValues(positional: positional, keywords: arguments.keywords)
        var result: [JinjaValue] = []
        for item in try value.iterated() {
            let subject = try attribute.map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
            let passes = try test.map { (test) throws(ChatTemplateError) in try JinjaPredicates.evaluate(test, subject, testArguments) }
                ?? subject.isTruthy
            if passes == keep { result.append(item) }
        }
        return result
    }

    /// The key `sort` and `unique` compare: the attribute if given, lower-cased unless case-sensitive.
    private static func sortKey(_ item: JinjaValue, attribute: JinjaValue?, caseSensitive: Bool) throws(ChatTemplateError) -> JinjaValue {
        let key = try attribute.map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
        if !caseSensitive, case .string(let text) = key { return .string(PythonText.lower(text)) }
        return key
    }

    private static func sort(_ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> [JinjaValue] {
        try arguments.check("sort", parameters: ["reverse", "case_sensitive", "attribute"])
        let reverse = arguments.value(0, "reverse")?.isTruthy ?? false
        let caseSensitive = arguments.value(1, "case_sensitive")?.isTruthy ?? false
        let attribute = arguments.value(2, "attribute")
        var keyed: [(key: JinjaValue, item: JinjaValue)] = []
        for item in try value.iterated() {
            keyed.append((try sortKey(item, attribute: attribute, caseSensitive: caseSensitive), item))
        }
        // Merge sort: stable like Python's, O(n log n), and able to report an incomparable pair.
        var width = 1
        while width < keyed.count {
            var merged: [(key: JinjaValue, item: JinjaValue)] = []
            merged.reserveCapacity(keyed.count)
            var start = 0
            while start < keyed.count {
                let middle = min(start + width, keyed.count)
                let end = min(start + 2 * width, keyed.count)
                var left = start
                var right = middle
                while left < middle, right < end {
                    let order = try JinjaValue.pythonCompare(keyed[right].key, keyed[left].key, "<")
                    // Take from the right only when strictly before the left (after, when reversed).
                    if reverse ? order > 0 : order < 0 {
                        merged.append(keyed[right])
                        right += 1
                    } else {
                        merged.append(keyed[left])
                        left += 1
                    }
                }
                merged += keyed[left..<middle]
                merged += keyed[right..<end]
                start = end
            }
            keyed = merged
            width *= 2
        }
        return keyed.map(\.item)
    }

    private static func unique(_ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> [JinjaValue] {
        try arguments.check("unique", parameters: ["case_sensitive", "attribute"])
        let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
        let attribute = arguments.value(1, "attribute")
        // Strings (by code point, not Swift's canonical equivalence) and numbers (1, 1.0 and True
        // are one key, as in Python) are found by hash; other keys are compared one by one.
        var seenStrings = Set<[UInt32]>()
        var seenNumbers = Set<String>()
        var seenOther: [JinjaValue] = []
        var result: [JinjaValue] = []
        for item in try value.iterated() {
            let key = try sortKey(item, attribute: attribute, caseSensitive: caseSensitive)
            let isNew: Bool
            if case .string(let text) = key {
                isNew = seenStrings.insert(text.unicodeScalars.map(\.value)).inserted
            } else if let integer = key.integerValue {
                isNew = seenNumbers.insert("\(integer)").inserted
            } else if case .double(let number) = key {
                let whole = number.rounded() == number ? Int(exactly: number) : nil
                isNew = seenNumbers.insert(whole.map { "\($0)" } ?? PythonRepr.float(number)).inserted
            } else {
                isNew = !seenOther.contains { JinjaValue.pythonEqual($0, key) }
                if isNew { seenOther.append(key) }
            }
            if isNew { result.append(item) }
        }
        return result
    }

    /// Hugging Face's `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private static func jsonStyle(_ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaJSONStyle {
        try arguments.check("tojson", parameters: ["ensure_ascii", "indent", "separators", "sort_keys"])
        var indent: String?
        switch arguments.value(1, "indent") {
        case nil, .none?: indent = nil
        case .string(let text)?: indent = text
        case let other?:
            guard let width = other.integerValue else { throw .runtime("tojson indent must be an int or a string") }
            indent = String(repeating: " ", count: try boundedWidth(width))
        }
        var separators: (String, String)?
        switch arguments.value(2, "separators") {
        case nil, .none?: separators = nil
        case .array(let pair)?, .tuple(let pair)?:
            guard pair.count == 2, case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                throw .runtime("tojson separators must be two strings")
            }
            separators = (item, key)
        case let other?:
            throw .runtime("tojson separators must be a pair of strings, not \(other.typeName)")
        }
        return JinjaJSONStyle(
            ensureASCII: arguments.value(0, "ensure_ascii")?.isTruthy ?? false, indent: indent, separators: separators,
            sortKeys: arguments.value(3, "sort_keys")?.isTruthy ?? false)
    }
}

extension String {
    /// Python accepts `1_000` in `int()` and `float()`; Swift's parsers do not.
    fileprivate func replacingUnderscoresBetweenDigits() -> String {
        let scalars = Array(unicodeScalars)
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar == "_", index > 0, index + 1 < scalars.count,
                scalars[index - 1].properties.numericType == .decimal, scalars[index + 1].properties.numericType == .decimal
            {
                continue
            }
            result.append(scalar)
        }
        return String(result)
    }
}
