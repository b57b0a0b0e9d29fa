/// Renders a parsed template: walks the statements, keeps the variable scopes, writes the output.
///
/// Scoping follows Jinja: each `for` iteration, macro call, `with` and `{% generation %}` body
/// gets its own scope, so a `{% set %}` inside a loop is forgotten when the iteration ends (the
/// reason templates use `namespace()`), while `if` bodies share their enclosing scope.
///
/// One interpreter renders once; it is created per call, so rendering needs no locks.
final class JinjaInterpreter {
    /// How a statement list ended: normally, or by `{% break %}` / `{% continue %}`.
    enum Flow { case normal, breakLoop, continueLoop }

    /// Innermost scope last; the first holds the render context (`messages`, `bos_token` …).
    var scopes: [[String: JinjaValue]]
    private var output = ""
    let clock: JinjaClock
    var macroDepth = 0
    private var iterations = 0

    /// Bounds that keep a hostile or broken template from running away: loop iterations across the
    /// whole render, and macro calls inside macro calls (each one recurses on the stack).
    static let maximumIterations = 1_000_000
    static let maximumMacroDepth = 16
    /// How deeply a value kept by `{% set %}` may nest (tool schemas nest a dozen levels).
    static let maximumNesting = 128

    /// Every `namespace()` made while rendering, emptied at the end so namespaces that refer to
    /// each other (`{% set ns.self = ns %}`) do not leak.
    var namespaces: [JinjaNamespace] = []

    init(context: [String: JinjaValue], clock: JinjaClock) {
        scopes = [context]
        self.clock = clock
    }

    /// The rendered text of `nodes`.
    func render(_ nodes: [JinjaNode]) throws(ChatTemplateError) -> String {
        defer {
            for namespace in namespaces { namespace.attributes = JinjaObject() }
        }
        _ = try execute(nodes)
        return output
    }

    func execute(_ nodes: [JinjaNode]) throws(ChatTemplateError) -> Flow {
        for node in nodes {
            let flow: Flow
            do {
                flow = try execute(node)
            } catch {
                throw error.positioned(node.position, construct: Self.construct(of: node))
            }
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: JinjaNode) throws(ChatTemplateError) -> Flow {
        switch node.kind {
        case .text(let text):
            try emit(text)
        case .output(let expression):
            try emit(try evaluate(expression).pythonString)
        case .conditional(let branches, let otherwise):
            for branch in branches {
                if try evaluate(branch.test).isTruthy { return try execute(branch.body) }
            }
            return try execute(otherwise)
        case .forLoop(let loop):
            try run(loop)
        case .set(let target, let expression):
            let value = try evaluate(expression)
            // Only `set` keeps values beyond one expression, so only it can deepen them without bound.
            if value.nests(deeperThan: Self.maximumNesting) {
                throw .runtime("value nested more than \(Self.maximumNesting) levels deep")
            }
            try assign(target, value)
        case .setBlock(let target, let filters, let body):
            try assign(target, try apply(filters, to: .string(try capture(body))))
        case .macro(let definition):
            scopes[scopes.count - 1][definition.name] = .callable(.macro(definition))
        case .with(let assignments, let body):
            // Values are computed in the enclosing scope, then bound in the new one.
            var values: [(JinjaAssignTarget, JinjaValue)] = []
            for assignment in assignments { values.append((assignment.target, try evaluate(assignment.value))) }
            scopes.append([:])
            defer { scopes.removeLast() }
            for (target, value) in values { try assign(target, value) }
            return try execute(body)
        case .filterBlock(let filters, let body):
            try emit(try apply(filters, to: .string(try capture(body))).pythonString)
        case .scope(let body):
            scopes.append([:])
            defer { scopes.removeLast() }
            return try execute(body)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private func run(_ loop: JinjaForLoop) throws(ChatTemplateError) {
        let iterable = try evaluate(loop.iterable)
        var items: [JinjaValue]
        do {
            items = try iterable.iterated()
        } catch {
            throw error.positioned(loop.iterable.position, construct: "{% for %}")
        }
        if let condition = loop.condition {
            // `for x in xs if cond` filters first, so `loop.length` and `loop.last` count kept items.
            var kept: [JinjaValue] = []
            for item in items {
                scopes.append([:])
                defer { scopes.removeLast() }
                try assign(loop.target, item)
                if try evaluate(condition).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            scopes.append([:])
            defer { scopes.removeLast() }
            _ = try execute(loop.otherwise)
            return
        }
        for (index, item) in items.enumerated() {
            iterations += 1
            if iterations > Self.maximumIterations {
                throw .runtime("more than \(Self.maximumIterations) loop iterations", construct: "{% for %}")
            }
            scopes.append(["loop": .loop(JinjaLoop(items: items, index0: index))])
            defer { scopes.removeLast() }
            try assign(loop.target, item)
            if try execute(loop.body) == .breakLoop { break }
        }
    }

    /// Binds a value to a `set`/`for`/`with` target in the innermost scope.
    func assign(_ target: JinjaAssignTarget, _ value: JinjaValue) throws(ChatTemplateError) {
        switch target {
        case .name(let name):
            scopes[scopes.count - 1][name] = value
        case .attribute(let name, let attribute):
            guard case .namespace(let namespace) = lookup(name) else {
                throw .runtime("cannot set '\(name).\(attribute)': '\(name)' is not a namespace()")
            }
            namespace.attributes[attribute] = value
        case .tuple(let targets):
            let items: [JinjaValue]
            switch value {
            case .array(let values), .tuple(let values): items = values
            case .string, .object, .iterator: items = try value.iterated()
            default: throw .runtime("cannot unpack non-iterable \(value.typeName) object")
            }
            guard items.count == targets.count else {
                throw .runtime(
                    items.count > targets.count
                        ? "too many values to unpack (expected \(targets.count))"
                        : "not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            for (element, item) in zip(targets, items) { try assign(element, item) }
        }
    }

    /// A name's value: the innermost scope that has it, then the globals, else undefined.
    func lookup(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        if JinjaGlobals.names.contains(name) { return .callable(.global(name)) }
        return .undefined(hint: "'\(name)' is undefined")
    }

    private func emit(_ text: String) throws(ChatTemplateError) {
        output += text
        if output.utf8.count > JinjaValue.maximumSize {
            throw .runtime("rendered text is larger than \(JinjaValue.maximumSize) bytes")
        }
    }

    /// What `body` renders to, without writing it out (`{% set x %}`, macros, `{% filter %}`).
    func capture(_ body: [JinjaNode]) throws(ChatTemplateError) -> String {
        let saved = output
        output = ""
        defer { output = saved }
        _ = try execute(body)
        return output
    }

    func apply(_ filters: [JinjaFilterApplication], to value: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        var result = value
        for filter in filters {
            do {
                result = try JinjaFilters.apply(filter.name, result, try evaluate(filter.arguments))
            } catch {
                throw error.positioned(filter.position, construct: "filter '\(filter.name)'")
            }
        }
        return result
    }

    /// Calls a macro: its parameters in a fresh scope above the template's top-level names (the
    /// caller's loop variables are not visible, as in Jinja), its output as the result.
    func call(_ macro: JinjaMacroDefinition, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        guard macroDepth < Self.maximumMacroDepth else {
            throw .runtime("macro calls nested more than \(Self.maximumMacroDepth) deep")
        }
        guard arguments.positional.count <= macro.parameters.count else {
            throw .runtime("macro '\(macro.name)' takes not more than \(macro.parameters.count) argument(s)")
        }
        for keyword in arguments.keywords where !macro.parameters.contains(where: { $0.name == keyword.name }) {
            throw .runtime("macro '\(macro.name)' takes no keyword argument '\(keyword.name)'")
        }
        let savedScopes = scopes
        scopes = [scopes[0], [:]]
        macroDepth += 1
        defer {
            scopes = savedScopes
            macroDepth -= 1
        }
        for (index, parameter) in macro.parameters.enumerated() {
            let value: JinjaValue
            if let given = arguments.value(index, parameter.name) {
                value = given
            } else if let defaultValue = parameter.defaultValue {
                value = try evaluate(defaultValue)
            } else {
                value = .undefined(hint: "parameter '\(parameter.name)' of macro '\(macro.name)' was not given")
            }
            scopes[1][parameter.name] = value
        }
        return .string(try capture(macro.body))
    }

    private static func construct(of node: JinjaNode) -> String {
        switch node.kind {
        case .text: return "template text"
        case .output: return "{{ … }}"
        case .conditional: return "{% if %}"
        case .forLoop: return "{% for %}"
        case .set, .setBlock: return "{% set %}"
        case .macro: return "{% macro %}"
        case .with: return "{% with %}"
        case .filterBlock: return "{% filter %}"
        case .scope: return "{% generation %}"
        case .breakLoop: return "{% break %}"
        case .continueLoop: return "{% continue %}"
        }
    }
}
