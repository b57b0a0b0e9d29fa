/// Builds the syntax tree from tokens, following Jinja 3's grammar and precedence (see
/// `JinjaParser+Expressions.swift` for expressions).
///
/// Statements that Jinja has but Nuri does not implement are rejected here, at load time, with an
/// ``ChatTemplateError/Kind/unsupported`` error naming the tag, so a model whose template needs
/// them fails when it is loaded rather than on its first request.
struct JinjaParser {
    let tokens: [JinjaToken]
    var index = 0
    /// How deeply expressions and blocks nest; bounded so hostile input cannot exhaust the stack.
    var depth = 0
    /// How many `for` bodies enclose the current statement (for `break` and `continue`).
    var loopDepth = 0

    /// Deep enough for any real template (they nest a handful of levels), shallow enough that the
    /// recursive parser and interpreter stay well inside a 512 KiB thread stack.
    static let maximumDepth = 48

    init(tokens: [JinjaToken]) {
        self.tokens = tokens
    }

    /// The whole template.
    mutating func parseTemplate() throws(ChatTemplateError) -> [JinjaNode] {
        let nodes = try parseBody(until: [], opener: nil).nodes
        try JinjaNameCheck.check(nodes)
        return nodes
    }

    // MARK: - Token access

    var current: JinjaToken { tokens[index] }

    func peek(_ offset: Int) -> JinjaToken { tokens[min(index + offset, tokens.count - 1)] }

    /// Moves past the current token (never past `.end`) and returns it.
    @discardableResult
    mutating func advance() -> JinjaToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    mutating func expectOp(_ op: String, in construct: String) throws(ChatTemplateError) {
        guard current.isOp(op) else {
            throw .syntax("expected '\(op)', got \(current.description)", at: current.position, construct: construct)
        }
        advance()
    }

    mutating func expectName(in construct: String) throws(ChatTemplateError) -> String {
        guard case .name(let name) = current.kind else {
            throw .syntax("expected a name, got \(current.description)", at: current.position, construct: construct)
        }
        advance()
        return name
    }

    mutating func expectKeyword(_ keyword: String, in construct: String) throws(ChatTemplateError) {
        guard current.isName(keyword) else {
            throw .syntax("expected '\(keyword)', got \(current.description)", at: current.position, construct: construct)
        }
        advance()
    }

    mutating func expectBlockEnd(in construct: String) throws(ChatTemplateError) {
        guard current.kind == .blockEnd else {
            throw .syntax("expected '%}', got \(current.description)", at: current.position, construct: construct)
        }
        advance()
    }

    mutating func enter(_ construct: String) throws(ChatTemplateError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw .unsupported(
                "nesting deeper than \(Self.maximumDepth) levels", at: current.position, construct: construct)
        }
    }

    // MARK: - Bodies and statements

    /// Nodes up to one of `endNames` (consumed, returned) or the end of the template. `opener` names
    /// the enclosing block for the error when the template ends inside it.
    mutating func parseBody(
        until endNames: Set<String>, opener: (name: String, position: SourcePosition)?
    ) throws(ChatTemplateError) -> (nodes: [JinjaNode], end: String?) {
        var nodes: [JinjaNode] = []
        while true {
            let token = current
            switch token.kind {
            case .text(let text):
                advance()
                nodes.append(JinjaNode(kind: .text(text), position: token.position))
            case .variableBegin:
                advance()
                let expression = try parseTuple()
                guard current.kind == .variableEnd else {
                    throw .syntax(
                        "expected '}}', got \(current.description)", at: current.position, construct: "{{ … }}")
                }
                advance()
                nodes.append(JinjaNode(kind: .output(expression), position: token.position))
            case .blockBegin:
                advance()
                guard case .name(let keyword) = current.kind else {
                    throw .syntax(
                        "expected a statement name after '{%', got \(current.description)",
                        at: current.position, construct: "{% … %}")
                }
                if endNames.contains(keyword) {
                    advance()
                    return (nodes, keyword)
                }
                nodes.append(try parseStatement(keyword, at: token.position, expecting: endNames, opener: opener))
            case .end:
                guard let opener else { return (nodes, nil) }
                let expected = endNames.sorted().map { "'{% \($0) %}'" }.joined(separator: " or ")
                throw .syntax(
                    "unexpected end of template: '{% \(opener.name) %}' is never closed (expected \(expected))",
                    at: opener.position, construct: "{% \(opener.name) %}")
            default:
                throw .syntax("unexpected \(token.description)", at: token.position, construct: "template")
            }
        }
    }

    private static let endTags: Set<String> = [
        "endif", "elif", "else", "endfor", "endset", "endmacro", "endwith", "endfilter", "endgeneration", "endraw",
        "endblock", "endcall",
    ]

    private static let unsupportedTags: [String: String] = [
        "include": "templates are rendered on their own, without other template files",
        "extends": "template inheritance needs other template files",
        "import": "templates are rendered on their own, without other template files",
        "from": "templates are rendered on their own, without other template files",
        "block": "template inheritance blocks are not implemented",
        "call": "call blocks are not implemented",
        "autoescape": "autoescaping is off for chat templates, as in Hugging Face",
        "do": "the 'do' extension is not enabled by Hugging Face either",
        "trans": "the i18n extension is not enabled by Hugging Face either",
    ]

    private mutating func parseStatement(
        _ keyword: String, at position: SourcePosition, expecting endNames: Set<String>,
        opener: (name: String, position: SourcePosition)?
    ) throws(ChatTemplateError) -> JinjaNode {
        let construct = "{% \(keyword) %}"
        try enter(construct)
        defer { depth -= 1 }
        let keywordPosition = current.position
        advance()
        switch keyword {
        case "if": return JinjaNode(kind: try parseIf(at: position), position: position)
        case "for": return JinjaNode(kind: .forLoop(try parseFor(at: position)), position: position)
        case "set": return JinjaNode(kind: try parseSet(at: position), position: position)
        case "macro": return JinjaNode(kind: .macro(try parseMacro(at: position)), position: position)
        case "with": return JinjaNode(kind: try parseWith(at: position), position: position)
        case "filter":
            let filters = try parseFilterChain(inline: true)
            try expectBlockEnd(in: construct)
            let body = try parseBody(until: ["endfilter"], opener: ("filter", position)).nodes
            try expectBlockEnd(in: "{% endfilter %}")
            return JinjaNode(kind: .filterBlock(filters, body: body), position: position)
        case "generation":
            try expectBlockEnd(in: construct)
            let body = try parseBody(until: ["endgeneration"], opener: ("generation", position)).nodes
            try expectBlockEnd(in: "{% endgeneration %}")
            return JinjaNode(kind: .scope(body), position: position)
        case "print":
            let expression = try parseTuple()
            try expectBlockEnd(in: construct)
            return JinjaNode(kind: .output(expression), position: position)
        case "break", "continue":
            guard loopDepth > 0 else {
                throw .syntax("'\(keyword)' outside a for loop", at: keywordPosition, construct: construct)
            }
            try expectBlockEnd(in: construct)
            return JinjaNode(kind: keyword == "break" ? .breakLoop : .continueLoop, position: position)
        default:
            if let reason = Self.unsupportedTags[keyword] {
                throw .unsupported("'\(construct)' is not supported: \(reason)", at: keywordPosition, construct: construct)
            }
            if Self.endTags.contains(keyword) {
                let context = opener.map { " inside '{% \($0.name) %}' (expected \(endNames.sorted().joined(separator: " or ")))" }
                throw .syntax(
                    "unexpected '\(construct)'\(context ?? ": no block is open")", at: keywordPosition, construct: construct)
            }
            throw .syntax("unknown tag '\(keyword)'", at: keywordPosition, construct: construct)
        }
    }

    private mutating func parseIf(at position: SourcePosition) throws(ChatTemplateError) -> JinjaNode.Kind {
        var branches: [JinjaBranch] = []
        var test = try parseTuple(withConditional: false)
        try expectBlockEnd(in: "{% if %}")
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: ("if", position))
            branches.append(JinjaBranch(test: test, body: body))
            switch end {
            case "elif":
                test = try parseTuple(withConditional: false)
                try expectBlockEnd(in: "{% elif %}")
            case "else":
                try expectBlockEnd(in: "{% else %}")
                let otherwise = try parseBody(until: ["endif"], opener: ("if", position)).nodes
                try expectBlockEnd(in: "{% endif %}")
                return .conditional(branches, otherwise: otherwise)
            default:
                try expectBlockEnd(in: "{% endif %}")
                return .conditional(branches, otherwise: [])
            }
        }
    }

    private mutating func parseFor(at position: SourcePosition) throws(ChatTemplateError) -> JinjaForLoop {
        let target = try parseAssignTarget(endNames: ["in"], construct: "{% for %}")
        try expectKeyword("in", in: "{% for %}")
        let iterable = try parseTuple(withConditional: false, endNames: ["recursive"])
        var condition: JinjaExpression?
        if current.isName("if") {
            advance()
            condition = try parseExpression()
        }
        if current.isName("recursive") {
            throw .unsupported("recursive loops are not supported", at: current.position, construct: "{% for … recursive %}")
        }
        try expectBlockEnd(in: "{% for %}")
        loopDepth += 1
        let (body, end) = try parseBody(until: ["endfor", "else"], opener: ("for", position))
        loopDepth -= 1
        var otherwise: [JinjaNode] = []
        if end == "else" {
            try expectBlockEnd(in: "{% else %}")
            otherwise = try parseBody(until: ["endfor"], opener: ("for", position)).nodes
        }
        try expectBlockEnd(in: "{% endfor %}")
        return JinjaForLoop(target: target, iterable: iterable, condition: condition, body: body, otherwise: otherwise)
    }

    private mutating func parseSet(at position: SourcePosition) throws(ChatTemplateError) -> JinjaNode.Kind {
        let target: JinjaAssignTarget
        if case .name(let namespace) = current.kind, peek(1).isOp(".") {
            advance()
            advance()
            target = .attribute(namespace, try expectName(in: "{% set %}"))
        } else {
            target = try parseAssignTarget(endNames: [], construct: "{% set %}")
        }
        if current.isOp("=") {
            advance()
            let value = try parseTuple()
            try expectBlockEnd(in: "{% set %}")
            return .set(target, value)
        }
        let filters = current.isOp("|") ? try parseFilterChain(inline: false) : []
        try expectBlockEnd(in: "{% set %}")
        let body = try parseBody(until: ["endset"], opener: ("set", position)).nodes
        try expectBlockEnd(in: "{% endset %}")
        return .setBlock(target, filters: filters, body: body)
    }

    private mutating func parseMacro(at position: SourcePosition) throws(ChatTemplateError) -> JinjaMacroDefinition {
        let name = try expectName(in: "{% macro %}")
        try expectOp("(", in: "{% macro %}")
        var parameters: [JinjaMacroParameter] = []
        while !current.isOp(")") {
            if !parameters.isEmpty {
                try expectOp(",", in: "{% macro %}")
                if current.isOp(")") { break }
            }
            let parameterPosition = current.position
            let parameter = try expectName(in: "{% macro %}")
            var defaultValue: JinjaExpression?
            if current.isOp("=") {
                advance()
                defaultValue = try parseExpression()
            } else if parameters.contains(where: { $0.defaultValue != nil }) {
                throw .syntax(
                    "parameter '\(parameter)' without a default follows one with a default",
                    at: parameterPosition, construct: "{% macro %}")
            }
            parameters.append(JinjaMacroParameter(name: parameter, defaultValue: defaultValue))
        }
        advance()
        try expectBlockEnd(in: "{% macro %}")
        // A macro body is not inside the loop around its definition.
        let savedLoopDepth = loopDepth
        loopDepth = 0
        let body = try parseBody(until: ["endmacro"], opener: ("macro", position)).nodes
        loopDepth = savedLoopDepth
        try expectBlockEnd(in: "{% endmacro %}")
        return JinjaMacroDefinition(name: name, parameters: parameters, body: body)
    }

    private mutating func parseWith(at position: SourcePosition) throws(ChatTemplateError) -> JinjaNode.Kind {
        var assignments: [JinjaAssignment] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expectOp(",", in: "{% with %}") }
            let target = try parseAssignTarget(endNames: [], construct: "{% with %}")
            try expectOp("=", in: "{% with %}")
            assignments.append(JinjaAssignment(target: target, value: try parseExpression()))
        }
        advance()
        let body = try parseBody(until: ["endwith"], opener: ("with", position)).nodes
        try expectBlockEnd(in: "{% endwith %}")
        return .with(assignments, body: body)
    }

    /// `a`, `a, b`, `(a, b)`: names a statement assigns to.
    mutating func parseAssignTarget(endNames: Set<String>, construct: String) throws(ChatTemplateError) -> JinjaAssignTarget {
        var targets: [JinjaAssignTarget] = []
        var isTuple = false
        while true {
            if !targets.isEmpty { try expectOp(",", in: construct) }
            if current.kind == .blockEnd || current.isOp(")") || current.isOp("=")
                || endNames.contains(where: { current.isName($0) })
            {
                break
            }
            targets.append(try parseAssignTargetElement(construct: construct))
            if current.isOp(",") { isTuple = true } else { break }
        }
        guard let first = targets.first else {
            throw .syntax("expected a name to assign to, got \(current.description)", at: current.position, construct: construct)
        }
        return isTuple ? .tuple(targets) : first
    }

    private mutating func parseAssignTargetElement(construct: String) throws(ChatTemplateError) -> JinjaAssignTarget {
        let token = current
        if token.isOp("(") {
            try enter(construct)
            defer { depth -= 1 }
            advance()
            let inner = try parseAssignTarget(endNames: [], construct: construct)
            try expectOp(")", in: construct)
            return inner
        }
        guard case .name(let name) = token.kind,
            !["true", "false", "True", "False", "none", "None"].contains(name)
        else {
            throw .syntax("can't assign to \(token.description)", at: token.position, construct: construct)
        }
        advance()
        return .name(name)
    }
}
