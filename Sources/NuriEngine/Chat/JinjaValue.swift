/// A value while a template renders: what Python objects are to Jinja.
///
/// Semantics follow Python, because templates are written and tested against Python: `1 == 1.0`
/// and `True == 1`, empty containers are falsy, `str()` of a list is its Python `repr`.
/// Lists and dicts are values (the Hugging Face sandbox forbids mutating them); the only mutable
/// thing is a ``JinjaNamespace``, which is why it is a class.
enum JinjaValue {
    /// Jinja's default `Undefined`: falsy, renders as "", iterates as empty, but fails when used
    /// as an object (`x.y`, `x + 1`). `hint` says what was undefined, for that failure's message.
    case undefined(hint: String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    /// A Python tuple (`(a, b)`, the pairs `items()` gives): a list that prints as `(a, b)` and
    /// is never equal to a list, as in Python.
    case tuple([JinjaValue])
    case object(JinjaObject)
    /// A lazy sequence, what `map`, `select`, `reject`, `unique` and `items` return in Jinja (and
    /// `reverse` of a list): it iterates like a list but is always truthy, has no length and
    /// cannot be indexed, so `{% if xs | select(...) %}` is true even when nothing is selected,
    /// exactly as in Hugging Face.
    case iterator([JinjaValue])
    case namespace(JinjaNamespace)
    /// The `loop` variable inside a `for` body.
    case loop(JinjaLoop)
    case callable(JinjaCallable)

    init(_ literal: JinjaLiteral) {
        switch literal {
        case .none: self = .none
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        }
    }

    init(_ value: TemplateValue) {
        switch value {
        case .undefined: self = .undefined(hint: "a value passed as undefined")
        case .none: self = .none
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .array(let values): self = .array(values.map(JinjaValue.init))
        case .object(let object):
            var result = JinjaObject()
            for (key, value) in object { result[key] = JinjaValue(value) }
            self = .object(result)
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .double(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .array(let values), .tuple(let values): return !values.isEmpty
        case .object(let object): return object.count > 0
        case .iterator, .namespace, .loop, .callable: return true
        }
    }

    /// Python's type name, for error messages that read like Jinja's.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .tuple: return "tuple"
        case .iterator: return "generator"
        case .object: return "dict"
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        case .callable: return "function"
        }
    }

    /// The number as a Double when this is `int`, `float` or `bool` (Python's numeric tower).
    var numericValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// The integer when this is `int` or `bool`.
    var integerValue: Int? {
        switch self {
        case .int(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    /// The error Jinja raises when an undefined value is used as an object.
    func undefinedError() -> ChatTemplateError {
        if case .undefined(let hint) = self { return .runtime(hint) }
        return .runtime("value is undefined")
    }

    /// The elements a `for` loop, `list` or `join` sees: list items, dict keys, string code points.
    func iterated() throws(ChatTemplateError) -> [JinjaValue] {
        switch self {
        case .undefined: return []
        case .array(let values), .tuple(let values), .iterator(let values): return values
        case .object(let object): return object.keys.map { .string($0) }
        case .string(let string): return string.unicodeScalars.map { .string(String($0)) }
        default: throw .runtime("'\(typeName)' object is not iterable")
        }
    }
}

/// A dict: string keys in insertion order, as Python's `dict` (order shows in `tojson` and `items`).
struct JinjaObject {
    private(set) var keys: [String] = []
    private var storage: [String: JinjaValue] = [:]

    subscript(key: String) -> JinjaValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    var count: Int { keys.count }

    var pairs: [(key: String, value: JinjaValue)] { keys.map { ($0, storage[$0] ?? .none) } }
}

/// The object `namespace(...)` returns: attributes that `{% set ns.x = … %}` may change from
/// inside a loop, the one mutable value in a template (hence a reference type).
final class JinjaNamespace {
    var attributes = JinjaObject()
}

/// What `loop` knows inside a `for` body.
struct JinjaLoop {
    /// The items iterated (after a loop's `if` filter), for `length`, `previtem` and `nextitem`.
    let items: [JinjaValue]
    let index0: Int

    var length: Int { items.count }

    func attribute(_ name: String) -> JinjaValue {
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(length - index0)
        case "revindex0": return .int(length - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == length - 1)
        case "length": return .int(length)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined(hint: "there is no previous item")
        case "nextitem": return index0 + 1 < length ? items[index0 + 1] : .undefined(hint: "there is no next item")
        case "cycle": return .callable(.method(.loop(self), "cycle"))
        default: return .undefined(hint: "'loop' has no attribute '\(name)'")
        }
    }
}

/// Something a template can call.
indirect enum JinjaCallable {
    /// A global function: `range`, `namespace`, `dict`, `raise_exception`, `strftime_now`.
    case global(String)
    /// A method bound to its receiver, such as `'a b'.split` or `message.items`.
    case method(JinjaValue, String)
    case macro(JinjaMacroDefinition)
}

/// Positional and keyword argument values of one call, with Python-style binding by name.
struct JinjaCallValues {
    var positional: [JinjaValue] = []
    var keywords: [(name: String, value: JinjaValue)] = []

    /// The argument at `index`, or the keyword `name`, or nil when neither was given.
    func value(_ index: Int, _ name: String) -> JinjaValue? {
        if index < positional.count { return positional[index] }
        return keywords.first { $0.name == name }?.value
    }

    /// Fails on extra positional arguments or unknown keywords, as Python would.
    func check(_ function: String, parameters: [String]) throws(ChatTemplateError) {
        if positional.count > parameters.count {
            throw .runtime("\(function)() takes at most \(parameters.count) argument(s), got \(positional.count)")
        }
        for keyword in keywords where !parameters.contains(keyword.name) {
            throw .runtime("\(function)() got an unexpected keyword argument '\(keyword.name)'")
        }
    }
}
