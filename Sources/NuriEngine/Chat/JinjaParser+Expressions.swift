/// Expressions, in Jinja 3's precedence from loosest to tightest:
/// `a if c else b` → `or` → `and` → `not` → comparisons, `in`, `not in` → `+ -` → `~` →
/// `* / // %` → `**` → unary `- +` → primary with `.x`, `[i]`, `(…)` → filters `|f` and tests `is t`.
///
/// Filters bind tighter than arithmetic, so `'a' + x | trim` is `'a' + (x | trim)`, exactly as
/// Hugging Face's templates rely on.
extension JinjaParser {
    /// A comma-separated tuple or a single expression (`{{ a, b }}`, `{% set a, b = 1, 2 %}`).
    /// `withConditional: false` is how Jinja parses `if` and `for` headers, where `if` ends the
    /// expression instead of starting a conditional.
    mutating func parseTuple(
        withConditional: Bool = true, endNames: Set<String> = [], explicitParentheses: Bool = false
    ) throws(ChatTemplateError) -> JinjaExpression {
        let position = current.position
        var items: [JinjaExpression] = []
        var isTuple = false
        while true {
            if !items.isEmpty { try expectOp(",", in: "tuple") }
            if current.kind == .variableEnd || current.kind == .blockEnd || current.isOp(")")
                || endNames.contains(where: { current.isName($0) })
            {
                break
            }
            items.append(try parseExpression(withConditional: withConditional))
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let first = items.first { return first }
            if !explicitParentheses {
                throw .syntax("expected an expression, got \(current.description)", at: current.position, construct: "expression")
            }
        }
        return JinjaExpression(kind: .tuple(items), position: position)
    }

    mutating func parseExpression(withConditional: Bool = true) throws(ChatTemplateError) -> JinjaExpression {
        try enter("expression")
        defer { depth -= 1 }
        return withConditional ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws(ChatTemplateError) -> JinjaExpression {
        let position = current.position
        var expression = try parseOr()
        while current.isName("if") {
            advance()
            let test = try parseOr()
            var otherwise: JinjaExpression?
            if current.isName("else") {
                advance()
                otherwise = try parseExpression()
            }
            expression = JinjaExpression(
                kind: .conditional(test: test, then: expression, otherwise: otherwise), position: position)
        }
        return expression
    }

    private mutating func parseOr() throws(ChatTemplateError) -> JinjaExpression {
        var left = try parseAnd()
        while current.isName("or") {
            let position = advance().position
            left = JinjaExpression(kind: .or(left, try parseAnd()), position: position)
        }
        return left
    }

    private mutating func parseAnd() throws(ChatTemplateError) -> JinjaExpression {
        var left = try parseNot()
        while current.isName("and") {
            let position = advance().position
            left = JinjaExpression(kind: .and(left, try parseNot()), position: position)
        }
        return left
    }

    private mutating func parseNot() throws(ChatTemplateError) -> JinjaExpression {
        guard current.isName("not") else { return try parseCompare() }
        try enter("not")
        defer { depth -= 1 }
        let position = advance().position
        return JinjaExpression(kind: .not(try parseNot()), position: position)
    }

    private static let comparisons: [String: JinjaComparison] = [
        "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    private mutating func parseCompare() throws(ChatTemplateError) -> JinjaExpression {
        let position = current.position
        let first = try parseAdditive()
        var steps: [JinjaComparisonStep] = []
        while true {
            let comparison: JinjaComparison
            if case .op(let op) = current.kind, let found = Self.comparisons[op] {
                advance()
                comparison = found
            } else if current.isName("in") {
                advance()
                comparison = .contains
            } else if current.isName("not"), peek(1).isName("in") {
                advance()
                advance()
                comparison = .notContains
            } else {
                break
            }
            steps.append(JinjaComparisonStep(comparison: comparison, operand: try parseAdditive()))
        }
        return steps.isEmpty ? first : JinjaExpression(kind: .compare(first, steps), position: position)
    }

    private mutating func parseAdditive() throws(ChatTemplateError) -> JinjaExpression {
        var left = try parseConcat()
        while current.isOp("+") || current.isOp("-") {
            let token = advance()
            let op: JinjaBinaryOperator = token.isOp("+") ? .add : .subtract
            left = JinjaExpression(kind: .binary(op, left, try parseConcat()), position: token.position)
        }
        return left
    }

    private mutating func parseConcat() throws(ChatTemplateError) -> JinjaExpression {
        let position = current.position
        var parts = [try parseMultiplicative()]
        while current.isOp("~") {
            advance()
            parts.append(try parseMultiplicative())
        }
        return parts.count == 1 ? parts[0] : JinjaExpression(kind: .concat(parts), position: position)
    }

    private mutating func parseMultiplicative() throws(ChatTemplateError) -> JinjaExpression {
        var left = try parsePower()
        while case .op(let op) = current.kind, let binary = JinjaBinaryOperator(rawValue: op),
            [.multiply, .divide, .floorDivide, .modulo].contains(binary)
        {
            let position = advance().position
            left = JinjaExpression(kind: .binary(binary, left, try parsePower()), position: position)
        }
        return left
    }

    /// `**` is left-associative in Jinja (unlike Python): `2 ** 3 ** 2` is 64.
    private mutating func parsePower() throws(ChatTemplateError) -> JinjaExpression {
        var left = try parseUnary()
        while current.isOp("**") {
            let position = advance().position
            left = JinjaExpression(kind: .binary(.power, left, try parseUnary()), position: position)
        }
        return left
    }

    /// A unary sign applies before filters: `-x | abs` is `(-x) | abs`.
    private mutating func parseUnary(withFilters: Bool = true) throws(ChatTemplateError) -> JinjaExpression {
        try enter("expression")
        defer { depth -= 1 }
        var node: JinjaExpression
        if current.isOp("-") || current.isOp("+") {
            let token = advance()
            let operand = try parseUnary(withFilters: false)
            node = JinjaExpression(kind: token.isOp("-") ? .negate(operand) : .plus(operand), position: token.position)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilters { node = try parseFiltersAndTests(node) }
        return node
    }

    private mutating func parsePrimary() throws(ChatTemplateError) -> JinjaExpression {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return JinjaExpression(kind: .literal(.bool(true)), position: token.position)
            case "false", "False": return JinjaExpression(kind: .literal(.bool(false)), position: token.position)
            case "none", "None": return JinjaExpression(kind: .literal(.none), position: token.position)
            default: return JinjaExpression(kind: .name(name), position: token.position)
            }
        case .string(let value):
            advance()
            // Adjacent literals concatenate, as in Python: `'a' "b"` is `'ab'`.
            var text = value
            while case .string(let more) = current.kind {
                text += more
                advance()
            }
            return JinjaExpression(kind: .literal(.string(text)), position: token.position)
        case .integer(let value):
            advance()
            return JinjaExpression(kind: .literal(.int(value)), position: token.position)
        case .float(let value):
            advance()
            return JinjaExpression(kind: .literal(.double(value)), position: token.position)
        case .op("("):
            advance()
            let inner = try parseTuple(explicitParentheses: true)
            try expectOp(")", in: "parenthesised expression")
            return inner
        case .op("["):
            advance()
            var items: [JinjaExpression] = []
            while !current.isOp("]") {
                if !items.isEmpty {
                    try expectOp(",", in: "list literal")
                    if current.isOp("]") { break }
                }
                items.append(try parseExpression())
            }
            advance()
            return JinjaExpression(kind: .list(items), position: token.position)
        case .op("{"):
            advance()
            var entries: [JinjaDictEntry] = []
            while !current.isOp("}") {
                if !entries.isEmpty {
                    try expectOp(",", in: "dict literal")
                    if current.isOp("}") { break }
                }
                let key = try parseExpression()
                try expectOp(":", in: "dict literal")
                entries.append(JinjaDictEntry(key: key, value: try parseExpression()))
            }
            advance()
            return JinjaExpression(kind: .dict(entries), position: token.position)
        default:
            throw .syntax("unexpected \(token.description)", at: token.position, construct: "expression")
        }
    }

    private mutating func parsePostfix(_ start: JinjaExpression) throws(ChatTemplateError) -> JinjaExpression {
        var node = start
        while true {
            if current.isOp(".") {
                let dot = advance()
                let attribute = advance()
                switch attribute.kind {
                case .name(let name): node = JinjaExpression(kind: .attribute(node, name), position: dot.position)
                case .integer(let value):
                    let key = JinjaExpression(kind: .literal(.int(value)), position: attribute.position)
                    node = JinjaExpression(kind: .item(node, key), position: dot.position)
                default:
                    throw .syntax(
                        "expected a name or number after '.', got \(attribute.description)",
                        at: attribute.position, construct: "attribute access")
                }
            } else if current.isOp("[") {
                node = try parseSubscript(node)
            } else if current.isOp("(") {
                let position = current.position
                node = JinjaExpression(kind: .call(node, try parseCallArguments()), position: position)
            } else {
                return node
            }
        }
    }

    private enum Subscript {
        case key(JinjaExpression)
        case slice(JinjaExpression?, JinjaExpression?, JinjaExpression?)
    }

    private mutating func parseSubscript(_ node: JinjaExpression) throws(ChatTemplateError) -> JinjaExpression {
        let bracket = advance()
        var subscripts: [Subscript] = []
        while !current.isOp("]") {
            if !subscripts.isEmpty { try expectOp(",", in: "subscript") }
            subscripts.append(try parseSubscribed())
        }
        advance()
        if subscripts.count == 1 {
            switch subscripts[0] {
            case .key(let key): return JinjaExpression(kind: .item(node, key), position: bracket.position)
            case .slice(let start, let stop, let step):
                return JinjaExpression(kind: .slice(node, start: start, stop: stop, step: step), position: bracket.position)
            }
        }
        var keys: [JinjaExpression] = []
        for entry in subscripts {
            guard case .key(let key) = entry else {
                throw .unsupported("slices inside a tuple subscript", at: bracket.position, construct: "subscript")
            }
            keys.append(key)
        }
        let tuple = JinjaExpression(kind: .tuple(keys), position: bracket.position)
        return JinjaExpression(kind: .item(node, tuple), position: bracket.position)
    }

    private mutating func parseSubscribed() throws(ChatTemplateError) -> Subscript {
        var parts: [JinjaExpression?] = []
        if current.isOp(":") {
            advance()
            parts = [nil]
        } else {
            let start = try parseExpression()
            guard current.isOp(":") else { return .key(start) }
            advance()
            parts = [start]
        }
        if current.isOp(":") || current.isOp("]") || current.isOp(",") {
            parts.append(nil)
        } else {
            parts.append(try parseExpression())
        }
        if current.isOp(":") {
            advance()
            parts.append(current.isOp("]") || current.isOp(",") ? nil : try parseExpression())
        } else {
            parts.append(nil)
        }
        return .slice(parts[0], parts[1], parts[2])
    }

    /// `( positional…, name=value… )`.
    mutating func parseCallArguments() throws(ChatTemplateError) -> JinjaArguments {
        try expectOp("(", in: "call")
        var arguments = JinjaArguments()
        while !current.isOp(")") {
            if !arguments.positional.isEmpty || !arguments.keywords.isEmpty {
                try expectOp(",", in: "call")
                if current.isOp(")") { break }
            }
            if current.isOp("*") || current.isOp("**") {
                throw .unsupported("*args and **kwargs in calls", at: current.position, construct: "call")
            }
            if case .name(let name) = current.kind, peek(1).isOp("=") {
                advance()
                advance()
                arguments.keywords.append(JinjaKeywordArgument(name: name, value: try parseExpression()))
            } else {
                if !arguments.keywords.isEmpty {
                    throw .syntax("positional argument follows keyword argument", at: current.position, construct: "call")
                }
                arguments.positional.append(try parseExpression())
            }
        }
        advance()
        return arguments
    }

    private mutating func parseFiltersAndTests(_ start: JinjaExpression) throws(ChatTemplateError) -> JinjaExpression {
        var node = start
        while true {
            if current.isOp("|") {
                for filter in try parseFilterChain(inline: false) {
                    node = JinjaExpression(kind: .filter(node, filter.name, filter.arguments), position: filter.position)
                }
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if current.isOp("(") {
                let position = current.position
                node = JinjaExpression(kind: .call(node, try parseCallArguments()), position: position)
            } else {
                return node
            }
        }
    }

    /// `| name(args) | name …`; with `inline`, the first filter has no leading `|` (`{% filter upper %}`).
    mutating func parseFilterChain(inline: Bool) throws(ChatTemplateError) -> [JinjaFilterApplication] {
        var filters: [JinjaFilterApplication] = []
        var first = inline
        while first || current.isOp("|") {
            if !first { advance() }
            first = false
            let position = current.position
            var name = try expectName(in: "filter")
            while current.isOp(".") {
                advance()
                name += "." + (try expectName(in: "filter"))
            }
            let arguments = current.isOp("(") ? try parseCallArguments() : .none
            filters.append(JinjaFilterApplication(name: name, arguments: arguments, position: position))
        }
        return filters
    }

    /// `is [not] name`, `is name(args)`, or `is name arg` (one primary argument without parentheses).
    private mutating func parseTest(_ node: JinjaExpression) throws(ChatTemplateError) -> JinjaExpression {
        let isToken = advance()
        var negated = false
        if current.isName("not") {
            advance()
            negated = true
        }
        var name = try expectName(in: "test")
        while current.isOp(".") {
            advance()
            name += "." + (try expectName(in: "test"))
        }
        var arguments = JinjaArguments.none
        if current.isOp("(") {
            arguments = try parseCallArguments()
        } else if startsBareTestArgument {
            if current.isName("is") {
                throw .syntax("tests cannot be chained with 'is'", at: current.position, construct: "test '\(name)'")
            }
            arguments.positional = [try parsePostfix(try parsePrimary())]
        }
        return JinjaExpression(kind: .test(node, name, arguments, negated: negated), position: isToken.position)
    }

    /// Jinja takes one argument without parentheses (`x is divisibleby 3`) when the next token can
    /// start a primary expression and is not `else`, `or` or `and`.
    private var startsBareTestArgument: Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and"].contains(name)
        case .string, .integer, .float: return true
        case .op(let op): return op == "(" || op == "[" || op == "{"
        default: return false
        }
    }
}
