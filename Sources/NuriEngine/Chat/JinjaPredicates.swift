/// Jinja's tests, the predicates after `is` (`x is defined`, `n is divisibleby 3`) and the names
/// `select`/`reject` take. Jinja calls them "tests"; this file says "predicates" so the name does
/// not read like a unit test.
enum JinjaPredicates {
    static let names: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string",
        "mapping", "iterable", "sequence", "callable", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne",
        "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "lower",
        "upper",
    ]

    static func evaluate(_ name: String, _ value: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> Bool {
        func argument() throws(ChatTemplateError) -> JinjaValue {
            guard let first = arguments.positional.first ?? arguments.keywords.first?.value else {
                throw .runtime("test '\(name)' needs an argument")
            }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number": return value.numericValue != nil
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .object = value { return true } else { return false }
        case "iterable", "sequence":
            // Undefined counts: Jinja's Undefined iterates as empty and has a length of 0.
            switch value {
            case .undefined, .string, .array, .tuple, .object: return true
            case .loop, .iterator: return name == "iterable"
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "odd", "even", "divisibleby":
            // Python's `value % n`, so floats work too (`2.5 is divisibleby 2` is false).
            let divisor = name == "divisibleby" ? try argument() : .int(2)
            let remainder = try JinjaValue.arithmetic(.modulo, value, divisor)
            return JinjaValue.pythonEqual(remainder, .int(name == "odd" ? 1 : 0))
        case "eq", "equalto", "==": return JinjaValue.pythonEqual(value, try argument())
        case "ne", "!=": return !JinjaValue.pythonEqual(value, try argument())
        case "lt", "lessthan", "<": return try JinjaValue.pythonCompare(value, try argument(), "<") < 0
        case "le", "<=": return try JinjaValue.pythonCompare(value, try argument(), "<=") <= 0
        case "gt", "greaterthan", ">": return try JinjaValue.pythonCompare(value, try argument(), ">") > 0
        case "ge", ">=": return try JinjaValue.pythonCompare(value, try argument(), ">=") >= 0
        case "in": return try JinjaValue.contains(try argument(), value)
        case "sameas":
            // Python's `is`: identity, which for templates means the same singleton or small value.
            switch (value, try argument()) {
            case (.none, .none), (.undefined, .undefined): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.int(let a), .int(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "lower", "upper":
            let cased = value.pythonString.unicodeScalars.filter { $0.properties.isCased }
            return !cased.isEmpty
                && cased.allSatisfy { name == "lower" ? $0.properties.isLowercase : $0.properties.isUppercase }
        default:
            throw JinjaNameCheck.unknownTest(name)
        }
    }
}
