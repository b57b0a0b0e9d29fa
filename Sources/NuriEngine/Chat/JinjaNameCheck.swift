/// Checks filter and test names after parsing, with Jinja 3's rule for when an unknown name is
/// an error: at load time, unless it sits inside an `if` statement or an inline `… if … else …`,
/// where Jinja waits and fails only if that branch actually runs.
///
/// Following the rule matters beyond parity: a template that uses a filter Nuri lacks in a rarely
/// taken branch (tool calls, images) still loads and renders ordinary conversations, and fails
/// with an ``ChatTemplateError/Kind/unsupported`` error naming the filter when the branch is hit.
/// As in Jinja, the bodies of `for`, `macro`, `with`, `{% set %}…{% endset %}`, `{% filter %}`
/// and `{% generation %}` start afresh: an unknown name directly inside them is a load-time error.
enum JinjaNameCheck {
    static func check(_ nodes: [JinjaNode], deferred: Bool = false) throws(ChatTemplateError) {
        for node in nodes { try check(node, deferred: deferred) }
    }

    private static func check(_ node: JinjaNode, deferred: Bool) throws(ChatTemplateError) {
        switch node.kind {
        case .text, .breakLoop, .continueLoop:
            return
        case .output(let expression), .set(_, let expression):
            try check(expression, deferred: deferred)
        case .conditional(let branches, let otherwise):
            for branch in branches {
                try check(branch.test, deferred: true)
                try check(branch.body, deferred: true)
            }
            try check(otherwise, deferred: true)
        case .forLoop(let loop):
            try check(loop.iterable, deferred: deferred)
            if let condition = loop.condition { try check(condition, deferred: false) }
            try check(loop.body)
            try check(loop.otherwise)
        case .setBlock(_, let filters, let body), .filterBlock(let filters, let body):
            for filter in filters { try check(filter, deferred: false) }
            try check(body)
        case .macro(let definition):
            for parameter in definition.parameters {
                if let value = parameter.defaultValue { try check(value, deferred: false) }
            }
            try check(definition.body)
        case .with(let assignments, let body):
            for assignment in assignments { try check(assignment.value, deferred: false) }
            try check(body)
        case .scope(let body):
            try check(body)
        }
    }

    private static func check(_ filter: JinjaFilterApplication, deferred: Bool) throws(ChatTemplateError) {
        if !deferred, !JinjaFilters.names.contains(filter.name) {
            throw unknownFilter(filter.name).positioned(filter.position, construct: "")
        }
        try check(filter.arguments, deferred: deferred)
    }

    private static func check(_ arguments: JinjaArguments, deferred: Bool) throws(ChatTemplateError) {
        for expression in arguments.positional { try check(expression, deferred: deferred) }
        for keyword in arguments.keywords { try check(keyword.value, deferred: deferred) }
    }

    private static func check(_ expression: JinjaExpression, deferred: Bool) throws(ChatTemplateError) {
        switch expression.kind {
        case .literal, .name:
            return
        case .list(let items), .tuple(let items), .concat(let items):
            for item in items { try check(item, deferred: deferred) }
        case .dict(let entries):
            for entry in entries {
                try check(entry.key, deferred: deferred)
                try check(entry.value, deferred: deferred)
            }
        case .attribute(let base, _), .negate(let base), .plus(let base), .not(let base):
            try check(base, deferred: deferred)
        case .item(let base, let key):
            try check(base, deferred: deferred)
            try check(key, deferred: deferred)
        case .slice(let base, let start, let stop, let step):
            try check(base, deferred: deferred)
            for part in [start, stop, step] {
                if let part { try check(part, deferred: deferred) }
            }
        case .call(let callee, let arguments):
            try check(callee, deferred: deferred)
            try check(arguments, deferred: deferred)
        case .filter(let base, let name, let arguments):
            if !deferred, !JinjaFilters.names.contains(name) {
                throw unknownFilter(name).positioned(expression.position, construct: "")
            }
            try check(base, deferred: deferred)
            try check(arguments, deferred: deferred)
        case .test(let base, let name, let arguments, _):
            if !deferred, !JinjaPredicates.names.contains(name) {
                throw unknownTest(name).positioned(expression.position, construct: "")
            }
            try check(base, deferred: deferred)
            try check(arguments, deferred: deferred)
        case .binary(_, let lhs, let rhs), .and(let lhs, let rhs), .or(let lhs, let rhs):
            try check(lhs, deferred: deferred)
            try check(rhs, deferred: deferred)
        case .compare(let first, let steps):
            try check(first, deferred: deferred)
            for step in steps { try check(step.operand, deferred: deferred) }
        case .conditional(let test, let then, let otherwise):
            try check(test, deferred: true)
            try check(then, deferred: true)
            if let otherwise { try check(otherwise, deferred: true) }
        }
    }

    static func unknownFilter(_ name: String) -> ChatTemplateError {
        ChatTemplateError(
            kind: .unsupported,
            message: "no filter named '\(name)' (supported: \(JinjaFilters.names.sorted().joined(separator: ", ")))",
            line: 0, column: 0, construct: "filter '\(name)'")
    }

    static func unknownTest(_ name: String) -> ChatTemplateError {
        ChatTemplateError(
            kind: .unsupported,
            message: "no test named '\(name)' (supported: \(JinjaPredicates.names.sorted().joined(separator: ", ")))",
            line: 0, column: 0, construct: "test '\(name)'")
    }
}
