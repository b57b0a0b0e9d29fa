/// Expression evaluation. Each expression stamps its own position on an error raised inside it
/// (the innermost one wins), so messages point at the `|filter`, `.attribute` or call at fault.
extension JinjaInterpreter {
    func evaluate(_ expression: JinjaExpression) throws(ChatTemplateError) -> JinjaValue {
        do {
            return try evaluateKind(expression.kind)
        } catch {
            throw error.positioned(expression.position, construct: Self.construct(of: expression))
        }
    }

    func evaluate(_ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaCallValues {
        var values = JinjaCallValues()
        for expression in arguments.positional { values.positional.append(try evaluate(expression)) }
        for keyword in arguments.keywords { values.keywords.append((keyword.name, try evaluate(keyword.value))) }
        return values
    }

    private func evaluateKind(_ kind: JinjaExpression.Kind) throws(ChatTemplateError) -> JinjaValue {
        switch kind {
        case .literal(let literal):
            return JinjaValue(literal)
        case .name(let name):
            return lookup(name)
        case .list(let items):
            var values: [JinjaValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case .tuple(let items):
            var values: [JinjaValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .tuple(values)
        case .dict(let entries):
            var object = JinjaObject()
            for entry in entries {
                guard case .string(let key) = try evaluate(entry.key) else {
                    throw .unsupported(
                        "dict keys other than strings", at: entry.key.position, construct: "dict literal")
                }
                object[key] = try evaluate(entry.value)
            }
            return .object(object)
        case .attribute(let base, let name):
            return try evaluate(base).attribute(name)
        case .item(let base, let key):
            return try evaluate(base).item(try evaluate(key))
        case .slice(let base, let start, let stop, let step):
            let value = try evaluate(base)
            return try value.slice(
                start: try start.map(evaluate) ?? .none, stop: try stop.map(evaluate) ?? .none,
                step: try step.map(evaluate) ?? .none)
        case .call(let callee, let arguments):
            return try call(try evaluate(callee), try evaluate(arguments))
        case .filter(let base, let name, let arguments):
            return try JinjaFilters.apply(name, try evaluate(base), try evaluate(arguments))
        case .test(let base, let name, let arguments, let negated):
            let result = try JinjaPredicates.evaluate(name, try evaluate(base), try evaluate(arguments))
            return .bool(result != negated)
        case .negate(let operand):
            return try evaluate(operand).negated()
        case .plus(let operand):
            let value = try evaluate(operand)
            if case .bool(let flag) = value { return .int(flag ? 1 : 0) }
            guard value.numericValue != nil else {
                if value.isUndefined { throw value.undefinedError() }
                throw .runtime("bad operand type for unary +: '\(value.typeName)'")
            }
            return value
        case .not(let operand):
            return .bool(!(try evaluate(operand).isTruthy))
        case .binary(let op, let lhs, let rhs):
            return try JinjaValue.arithmetic(op, try evaluate(lhs), try evaluate(rhs))
        case .and(let lhs, let rhs):
            // Python's `and`/`or` return an operand, not a bool: `{{ name or 'anonymous' }}`.
            let left = try evaluate(lhs)
            return left.isTruthy ? try evaluate(rhs) : left
        case .or(let lhs, let rhs):
            let left = try evaluate(lhs)
            return left.isTruthy ? left : try evaluate(rhs)
        case .compare(let first, let steps):
            var left = try evaluate(first)
            for step in steps {
                let right = try evaluate(step.operand)
                guard try Self.compare(left, step.comparison, right) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .concat(let parts):
            var text = ""
            for part in parts { text += try evaluate(part).pythonString }
            return .string(try JinjaValue.checked(text))
        case .conditional(let test, let then, let otherwise):
            if try evaluate(test).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined(hint: "the conditional expression had no else branch")
        }
    }

    private static func compare(_ lhs: JinjaValue, _ comparison: JinjaComparison, _ rhs: JinjaValue) throws(ChatTemplateError) -> Bool {
        switch comparison {
        case .equal: return JinjaValue.pythonEqual(lhs, rhs)
        case .notEqual: return !JinjaValue.pythonEqual(lhs, rhs)
        case .less: return try JinjaValue.pythonCompare(lhs, rhs, "<") < 0
        case .lessOrEqual: return try JinjaValue.pythonCompare(lhs, rhs, "<=") <= 0
        case .greater: return try JinjaValue.pythonCompare(lhs, rhs, ">") > 0
        case .greaterOrEqual: return try JinjaValue.pythonCompare(lhs, rhs, ">=") >= 0
        case .contains: return try JinjaValue.contains(rhs, lhs)
        case .notContains: return !(try JinjaValue.contains(rhs, lhs))
        }
    }

    private func call(_ callee: JinjaValue, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        switch callee {
        case .callable(.global(let name)):
            let result = try JinjaGlobals.call(name, arguments, clock: clock)
            if case .namespace(let namespace) = result { namespaces.append(namespace) }
            return result
        case .callable(.method(let receiver, let name)): return try JinjaMethods.call(receiver, name, arguments)
        case .callable(.macro(let macro)): return try call(macro, arguments)
        case .undefined: throw callee.undefinedError()
        default: throw .runtime("'\(callee.typeName)' object is not callable")
        }
    }

    private static func construct(of expression: JinjaExpression) -> String {
        switch expression.kind {
        case .name(let name): return "'\(name)'"
        case .attribute(_, let name): return "attribute '.\(name)'"
        case .item, .slice: return "subscript"
        case .call(let callee, _):
            switch callee.kind {
            case .name(let name): return "call to '\(name)'"
            case .attribute(_, let name): return "call to '.\(name)()'"
            default: return "call"
            }
        case .filter(_, let name, _): return "filter '\(name)'"
        case .test(_, let name, _, _): return "test '\(name)'"
        case .binary(let op, _, _): return "'\(op.rawValue)' operator"
        case .compare: return "comparison"
        case .negate: return "'-' operator"
        default: return "expression"
        }
    }
}
