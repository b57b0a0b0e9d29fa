/// A place in a template: 1-based line and column, the column counted in Unicode scalars after
/// line endings are normalised (what ``ChatTemplateError`` reports).
struct SourcePosition: Sendable, Equatable {
    var line: Int
    var column: Int
}

/// One lexical unit of a template, as ``JinjaLexer`` produces it and ``JinjaParser`` reads it.
struct JinjaToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Literal template text between tags, already trimmed by whitespace control.
        case text(String)
        /// `{{` (with its `-` or `+` already applied to the text before it).
        case variableBegin
        /// `}}`.
        case variableEnd
        /// `{%`.
        case blockBegin
        /// `%}`.
        case blockEnd
        /// An identifier, including keywords such as `for`, `in`, `not`, `true`.
        case name(String)
        /// A string literal, escapes resolved.
        case string(String)
        /// An integer literal.
        case integer(Int)
        /// A floating-point literal.
        case float(Double)
        /// An operator or punctuation mark: `+`, `//`, `==`, `(`, `|`, `.` …
        case op(String)
        /// The end of the template.
        case end
    }

    let kind: Kind
    let position: SourcePosition

    /// How error messages name this token, in Jinja's words.
    var description: String {
        switch kind {
        case .text: return "template text"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "end of statement block"
        case .name(let name): return "'\(name)'"
        case .string: return "string literal"
        case .integer(let value): return "integer \(value)"
        case .float(let value): return "number \(value)"
        case .op(let op): return "'\(op)'"
        case .end: return "end of template"
        }
    }

    /// True when this is the name `name` (keywords are plain names to the lexer, as in Jinja).
    func isName(_ name: String) -> Bool {
        if case .name(let value) = kind { return value == name }
        return false
    }

    /// True when this is the operator `op`.
    func isOp(_ op: String) -> Bool {
        if case .op(let value) = kind { return value == op }
        return false
    }
}
