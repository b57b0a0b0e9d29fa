/// The syntax tree ``JinjaParser`` builds and ``JinjaInterpreter`` walks.
///
/// It is parsed once per ``ChatTemplate`` and shared by every render, so it holds only `Sendable`
/// values: constants are ``JinjaLiteral``s, never runtime values.

/// A constant written in the template.
enum JinjaLiteral: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

/// An expression, with where it starts (or, for an operator, where the operator is).
struct JinjaExpression: Sendable {
    indirect enum Kind: Sendable {
        case literal(JinjaLiteral)
        case name(String)
        case list([JinjaExpression])
        /// `(a, b)` or `a, b`; evaluates to a list, as tuples and lists behave alike in templates.
        case tuple([JinjaExpression])
        case dict([JinjaDictEntry])
        /// `value.name`: an attribute first (a method such as `items`), then a key.
        case attribute(JinjaExpression, String)
        /// `value[key]`: a key or index first, then an attribute.
        case item(JinjaExpression, JinjaExpression)
        /// `value[start:stop:step]`.
        case slice(JinjaExpression, start: JinjaExpression?, stop: JinjaExpression?, step: JinjaExpression?)
        case call(JinjaExpression, JinjaArguments)
        /// `value | name(arguments)`; the name was checked against ``JinjaFilters`` when parsing.
        case filter(JinjaExpression, String, JinjaArguments)
        /// `value is [not] name(arguments)`; the name was checked against ``JinjaPredicates``.
        case test(JinjaExpression, String, JinjaArguments, negated: Bool)
        case negate(JinjaExpression)
        case plus(JinjaExpression)
        case not(JinjaExpression)
        case binary(JinjaBinaryOperator, JinjaExpression, JinjaExpression)
        case and(JinjaExpression, JinjaExpression)
        case or(JinjaExpression, JinjaExpression)
        /// `a < b <= c` chains like Python's comparisons.
        case compare(JinjaExpression, [JinjaComparisonStep])
        /// `a ~ b ~ c`: string conversion and concatenation.
        case concat([JinjaExpression])
        /// `then if test else otherwise`; without `else` a false test gives undefined.
        case conditional(test: JinjaExpression, then: JinjaExpression, otherwise: JinjaExpression?)
    }

    let kind: Kind
    let position: SourcePosition
}

struct JinjaDictEntry: Sendable {
    let key: JinjaExpression
    let value: JinjaExpression
}

/// The arguments of a call, filter or test, as written.
struct JinjaArguments: Sendable {
    var positional: [JinjaExpression] = []
    var keywords: [JinjaKeywordArgument] = []

    static let none = JinjaArguments()
}

struct JinjaKeywordArgument: Sendable {
    let name: String
    let value: JinjaExpression
}

enum JinjaBinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
    case power = "**"
}

enum JinjaComparison: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains = "in"
    case notContains = "not in"
}

struct JinjaComparisonStep: Sendable {
    let comparison: JinjaComparison
    let operand: JinjaExpression
}

/// A statement or piece of text, with where it starts.
struct JinjaNode: Sendable {
    indirect enum Kind: Sendable {
        case text(String)
        /// `{{ expression }}`.
        case output(JinjaExpression)
        /// `if` / `elif` branches in order, then the `else` body (empty when absent).
        case conditional([JinjaBranch], otherwise: [JinjaNode])
        case forLoop(JinjaForLoop)
        /// `{% set target = value %}`.
        case set(JinjaAssignTarget, JinjaExpression)
        /// `{% set target | filters %}body{% endset %}`.
        case setBlock(JinjaAssignTarget, filters: [JinjaFilterApplication], body: [JinjaNode])
        case macro(JinjaMacroDefinition)
        /// `{% with a = 1, b = 2 %}body{% endwith %}`: the names exist only inside.
        case with([JinjaAssignment], body: [JinjaNode])
        /// `{% filter upper %}body{% endfilter %}`.
        case filterBlock([JinjaFilterApplication], body: [JinjaNode])
        /// A body rendered in its own scope: Hugging Face's `{% generation %}` marker, which only
        /// matters for training masks, renders this way.
        case scope([JinjaNode])
        case breakLoop
        case continueLoop
    }

    let kind: Kind
    let position: SourcePosition
}

struct JinjaBranch: Sendable {
    let test: JinjaExpression
    let body: [JinjaNode]
}

struct JinjaForLoop: Sendable {
    let target: JinjaAssignTarget
    let iterable: JinjaExpression
    /// `for x in xs if condition`: items failing it are skipped before `loop` counts them.
    let condition: JinjaExpression?
    let body: [JinjaNode]
    /// The `else` body, rendered when no item was iterated.
    let otherwise: [JinjaNode]
}

/// Where `set`, `for` and `with` put values.
indirect enum JinjaAssignTarget: Sendable {
    case name(String)
    /// `namespace.attribute`, the one way to carry a value out of a loop.
    case attribute(String, String)
    case tuple([JinjaAssignTarget])
}

struct JinjaAssignment: Sendable {
    let target: JinjaAssignTarget
    let value: JinjaExpression
}

struct JinjaFilterApplication: Sendable {
    let name: String
    let arguments: JinjaArguments
    let position: SourcePosition
}

struct JinjaMacroDefinition: Sendable {
    let name: String
    let parameters: [JinjaMacroParameter]
    let body: [JinjaNode]
}

struct JinjaMacroParameter: Sendable {
    let name: String
    let defaultValue: JinjaExpression?
}
