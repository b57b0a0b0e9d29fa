import Foundation

/// Operators and element access with Python's rules, including the failures: `'a' + 1` and
/// `undefined + 'x'` are errors, not silent coercions, because Jinja raises on them too.
extension JinjaValue {
    /// Results larger than this (bytes of text, or list elements) are refused, so a template cannot
    /// exhaust memory with `'x' * 10**9`.
    static let maximumSize = 16 << 20

    // MARK: - Equality and ordering

    /// Python's `==`: numbers across int/float/bool, strings by code point, containers deeply.
    static func pythonEqual(_ lhs: JinjaValue, _ rhs: JinjaValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return PythonText.equal(a, b)
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { pythonEqual($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && a.pairs.allSatisfy { pair in b[pair.key].map { pythonEqual(pair.value, $0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        default:
            if let a = lhs.integerValue, let b = rhs.integerValue { return a == b }
            if let a = lhs.numericValue, let b = rhs.numericValue { return a == b }
            return false
        }
    }

    /// Python's ordering for `<`, `<=`, `>`, `>=`: -1, 0 or 1, or a type error.
    static func pythonCompare(_ lhs: JinjaValue, _ rhs: JinjaValue, _ op: String) throws(ChatTemplateError) -> Int {
        if lhs.isUndefined { throw lhs.undefinedError() }
        if rhs.isUndefined { throw rhs.undefinedError() }
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)):
            return PythonText.equal(a, b) ? 0 : PythonText.less(a, b) ? -1 : 1
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !pythonEqual(x, y) { return try pythonCompare(x, y, op) }
            return a.count == b.count ? 0 : a.count < b.count ? -1 : 1
        default:
            if let a = lhs.integerValue, let b = rhs.integerValue { return a == b ? 0 : a < b ? -1 : 1 }
            if let a = lhs.numericValue, let b = rhs.numericValue { return a == b ? 0 : a < b ? -1 : 1 }
            throw .runtime("'\(op)' not supported between instances of '\(lhs.typeName)' and '\(rhs.typeName)'")
        }
    }

    /// Python's `element in container`.
    static func contains(_ container: JinjaValue, _ element: JinjaValue) throws(ChatTemplateError) -> Bool {
        switch container {
        case .undefined: return false
        case .string(let string):
            guard case .string(let needle) = element else {
                throw .runtime("'in <string>' requires string as left operand, not \(element.typeName)")
            }
            return needle.isEmpty || PythonText.occurrences(of: needle, in: string).count > 0
        case .array(let values), .tuple(let values), .iterator(let values):
            return values.contains { pythonEqual($0, element) }
        case .object(let object):
            switch element {
            case .string(let key): return object[key] != nil
            case .array, .object, .namespace: throw .runtime("unhashable type: '\(element.typeName)'")
            default: return false
            }
        default:
            throw .runtime("argument of type '\(container.typeName)' is not iterable")
        }
    }

    // MARK: - Arithmetic

    static func arithmetic(_ op: JinjaBinaryOperator, _ lhs: JinjaValue, _ rhs: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        if lhs.isUndefined { throw lhs.undefinedError() }
        if rhs.isUndefined { throw rhs.undefinedError() }
        if let a = lhs.integerValue, let b = rhs.integerValue { return try integerArithmetic(op, a, b) }
        if let a = lhs.numericValue, let b = rhs.numericValue { return try floatArithmetic(op, a, b) }
        switch (op, lhs, rhs) {
        case (.add, .string(let a), .string(let b)):
            try checkSize(a.utf8.count + b.utf8.count)
            return .string(a + b)
        case (.add, .array(let a), .array(let b)):
            try checkSize(a.count + b.count)
            return .array(a + b)
        case (.add, .tuple(let a), .tuple(let b)):
            try checkSize(a.count + b.count)
            return .tuple(a + b)
        case (.multiply, .string(let text), _), (.multiply, _, .string(let text)):
            guard let count = (lhs.integerValue ?? rhs.integerValue) else { break }
            try checkSize(text.utf8.count.multipliedReportingOverflow(by: max(count, 0)))
            return .string(String(repeating: text, count: max(count, 0)))
        case (.multiply, .array(let values), _), (.multiply, _, .array(let values)):
            guard let count = (lhs.integerValue ?? rhs.integerValue) else { break }
            try checkSize(values.count.multipliedReportingOverflow(by: max(count, 0)))
            return .array(Array([[JinjaValue]](repeating: values, count: max(count, 0)).joined()))
        case (.multiply, .tuple(let values), _), (.multiply, _, .tuple(let values)):
            guard let count = (lhs.integerValue ?? rhs.integerValue) else { break }
            try checkSize(values.count.multipliedReportingOverflow(by: max(count, 0)))
            return .tuple(Array([[JinjaValue]](repeating: values, count: max(count, 0)).joined()))
        case (.modulo, .string, _):
            throw .runtime("printf-style '%' string formatting is not supported")
        default:
            break
        }
        if op == .add, case .string = lhs {
            throw .runtime("can only concatenate str (not \"\(rhs.typeName)\") to str")
        }
        throw .runtime("unsupported operand type(s) for \(op.rawValue): '\(lhs.typeName)' and '\(rhs.typeName)'")
    }

    /// `text`, or an error when it is larger than ``maximumSize`` bytes.
    static func checked(_ text: String) throws(ChatTemplateError) -> String {
        try checkSize(text.utf8.count)
        return text
    }

    /// Whether values nest (lists in lists, dicts, namespaces) more than `limit` levels deep.
    /// Statements that keep a value check this, so a template cannot build a million-deep value
    /// whose printing or release would overflow the stack.
    func nests(deeperThan limit: Int) -> Bool {
        var visited = Set<ObjectIdentifier>()
        return nests(deeperThan: limit, visited: &visited)
    }

    private func nests(deeperThan limit: Int, visited: inout Set<ObjectIdentifier>) -> Bool {
        let children: [JinjaValue]
        switch self {
        case .array(let values), .tuple(let values), .iterator(let values): children = values
        case .object(let object): children = object.pairs.map(\.value)
        case .namespace(let namespace):
            guard visited.insert(ObjectIdentifier(namespace)).inserted else { return false }
            children = namespace.attributes.pairs.map(\.value)
        case .loop(let loop): children = loop.items
        case .callable(.method(let receiver, _)): children = [receiver]
        default: return false
        }
        guard limit > 0 else { return true }
        for child in children where child.nests(deeperThan: limit - 1, visited: &visited) { return true }
        return false
    }

    private static func checkSize(_ size: Int) throws(ChatTemplateError) {
        if size > maximumSize { throw .runtime("result larger than \(maximumSize) elements or bytes") }
    }

    private static func checkSize(_ result: (partialValue: Int, overflow: Bool)) throws(ChatTemplateError) {
        if result.overflow { throw .runtime("result larger than \(maximumSize) elements or bytes") }
        try checkSize(result.partialValue)
    }

    private static func integerArithmetic(_ op: JinjaBinaryOperator, _ a: Int, _ b: Int) throws(ChatTemplateError) -> JinjaValue {
        let overflow = ChatTemplateError.runtime(
            "integer overflow (Python integers are unbounded; this interpreter uses 64 bits)")
        switch op {
        case .add:
            let (value, overflowed) = a.addingReportingOverflow(b)
            if overflowed { throw overflow }
            return .int(value)
        case .subtract:
            let (value, overflowed) = a.subtractingReportingOverflow(b)
            if overflowed { throw overflow }
            return .int(value)
        case .multiply:
            let (value, overflowed) = a.multipliedReportingOverflow(by: b)
            if overflowed { throw overflow }
            return .int(value)
        case .divide:
            return try floatArithmetic(.divide, Double(a), Double(b))
        case .floorDivide, .modulo:
            guard b != 0 else { throw .runtime("integer division or modulo by zero") }
            if a == .min, b == -1 { throw overflow }
            // Python floors toward negative infinity; Swift truncates toward zero.
            var quotient = a / b
            var remainder = a % b
            if remainder != 0, (remainder < 0) != (b < 0) {
                quotient -= 1
                remainder += b
            }
            return .int(op == .floorDivide ? quotient : remainder)
        case .power:
            if b < 0 { return .double(pow(Double(a), Double(b))) }
            var result = 1
            var base = a
            var exponent = b
            while exponent > 0 {
                if exponent & 1 == 1 {
                    let (value, overflowed) = result.multipliedReportingOverflow(by: base)
                    if overflowed { throw overflow }
                    result = value
                }
                exponent >>= 1
                if exponent > 0 {
                    let (square, overflowed) = base.multipliedReportingOverflow(by: base)
                    if overflowed { throw overflow }
                    base = square
                }
            }
            return .int(result)
        }
    }

    private static func floatArithmetic(_ op: JinjaBinaryOperator, _ a: Double, _ b: Double) throws(ChatTemplateError) -> JinjaValue {
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw .runtime("division by zero") }
            return .double(a / b)
        case .floorDivide:
            guard b != 0 else { throw .runtime("float floor division by zero") }
            return .double((a / b).rounded(.down))
        case .modulo:
            guard b != 0 else { throw .runtime("float modulo by zero") }
            var remainder = fmod(a, b)
            if remainder != 0, (remainder < 0) != (b < 0) { remainder += b }
            return .double(remainder)
        case .power:
            return .double(pow(a, b))
        }
    }

    /// Unary minus.
    func negated() throws(ChatTemplateError) -> JinjaValue {
        switch self {
        case .int(let value):
            guard value != .min else { throw .runtime("integer overflow") }
            return .int(-value)
        case .bool(let value): return .int(value ? -1 : 0)
        case .double(let value): return .double(-value)
        case .undefined: throw undefinedError()
        default: throw .runtime("bad operand type for unary -: '\(typeName)'")
        }
    }

    // MARK: - Access

    /// `value.name`: Jinja tries the Python attribute first (so `message.items` is the method),
    /// then the key.
    func attribute(_ name: String) throws(ChatTemplateError) -> JinjaValue {
        switch self {
        case .undefined: throw undefinedError()
        case .object(let object):
            if JinjaMethods.has(name, on: self) { return .callable(.method(self, name)) }
            return object[name] ?? .undefined(hint: "'dict object' has no attribute '\(name)'")
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined(hint: "'Namespace' object has no attribute '\(name)'")
        case .loop(let loop):
            return loop.attribute(name)
        default:
            if JinjaMethods.has(name, on: self) { return .callable(.method(self, name)) }
            return .undefined(hint: "'\(typeName) object' has no attribute '\(name)'")
        }
    }

    /// `value[key]`: Jinja tries the key or index first, then the attribute.
    func item(_ key: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        switch (self, key) {
        case (.undefined, _): throw undefinedError()
        case (.object(let object), .string(let name)):
            if let value = object[name] { return value }
        case (.array(let values), _), (.tuple(let values), _):
            if let index = key.integerValue {
                let resolved = index < 0 ? index + values.count : index
                if values.indices.contains(resolved) { return values[resolved] }
                return .undefined(hint: "list index \(index) out of range")
            }
        case (.string(let string), _):
            if let index = key.integerValue {
                let scalars = Array(string.unicodeScalars)
                let resolved = index < 0 ? index + scalars.count : index
                if scalars.indices.contains(resolved) { return .string(String(scalars[resolved])) }
                return .undefined(hint: "string index \(index) out of range")
            }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(name) }
        return .undefined(hint: "'\(typeName) object' has no item \(key.pythonRepr)")
    }

    /// `value[start:stop:step]` on lists and strings, with Python's clamping of out-of-range bounds.
    func slice(start: JinjaValue, stop: JinjaValue, step: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        func bound(_ value: JinjaValue) throws(ChatTemplateError) -> Int? {
            switch value {
            case .none: return nil
            case .undefined: throw value.undefinedError()
            default:
                guard let integer = value.integerValue else {
                    throw .runtime("slice indices must be integers or None")
                }
                return integer
            }
        }
        let step = try bound(step) ?? 1
        guard step != 0 else { throw .runtime("slice step cannot be zero") }
        let (start, stop) = (try bound(start), try bound(stop))
        switch self {
        case .undefined: throw undefinedError()
        case .array(let values):
            return .array(Self.sliceIndices(values.count, start, stop, step).map { values[$0] })
        case .tuple(let values):
            return .tuple(Self.sliceIndices(values.count, start, stop, step).map { values[$0] })
        case .string(let string):
            let scalars = Array(string.unicodeScalars)
            return .string(PythonText.fromScalars(Self.sliceIndices(scalars.count, start, stop, step).map { scalars[$0] }))
        case .object:
            throw .runtime("unhashable type: 'slice'")
        default:
            // Jinja compiles slices to a plain Python subscript, so unlike `x[key]` this fails.
            throw .runtime("'\(typeName)' object is not subscriptable")
        }
    }

    private static func sliceIndices(_ count: Int, _ start: Int?, _ stop: Int?, _ step: Int) -> [Int] {
        func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int {
            let adjusted = value < 0 ? value + count : value
            return min(max(adjusted, low), high)
        }
        var indices: [Int] = []
        if step > 0 {
            var index = start.map { clamp($0, 0, count) } ?? 0
            let end = stop.map { clamp($0, 0, count) } ?? count
            while index < end {
                indices.append(index)
                let (next, overflow) = index.addingReportingOverflow(step)
                if overflow { break }
                index = next
            }
        } else {
            var index = start.map { clamp($0, -1, count - 1) } ?? count - 1
            let end = stop.map { clamp($0, -1, count - 1) } ?? -1
            while index > end {
                indices.append(index)
                let (next, overflow) = index.addingReportingOverflow(step)
                if overflow { break }
                index = next
            }
        }
        return indices
    }
}
