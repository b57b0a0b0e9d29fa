/// Why a chat template could not be parsed or rendered.
///
/// Every error names where in the template it happened (1-based line and column, counted in
/// Unicode scalars after line endings are normalised to `\n`) and the construct involved, so a
/// model with an unusual template fails with a message that says what to fix or report.
public struct ChatTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad reason, so callers can tell a bad template from a rejected conversation.
    public enum Kind: String, Sendable, Equatable {
        /// The template is not well-formed Jinja (unclosed tag, unbalanced block, bad expression).
        case syntax
        /// Valid Jinja that this interpreter deliberately does not implement (`{% include %}`, an
        /// unknown filter …).
        case unsupported
        /// Rendering failed: a type error, an undefined value used as an object, a resource limit.
        case runtime
        /// The template itself refused the input with `raise_exception('…')`; `message` is the
        /// template's own text (for example Gemma's "Conversation roles must alternate …").
        case raised
    }

    /// The broad reason.
    public let kind: Kind
    /// What went wrong, in words.
    public let message: String
    /// The 1-based line of the construct, or 0 when no position applies.
    public let line: Int
    /// The 1-based column of the construct, or 0 when no position applies.
    public let column: Int
    /// The construct involved, such as `{% include %}`, `filter 'foo'` or `raise_exception`.
    public let construct: String

    /// An error with every field given.
    public init(kind: Kind, message: String, line: Int, column: Int, construct: String) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.construct = construct
    }

    /// For example: `chat template syntax error at line 3, column 9 ({% for %}): unexpected end of template`.
    public var description: String {
        let what = kind == .raised ? "chat template rejected the input" : "chat template \(kind.rawValue) error"
        return "\(what) at line \(line), column \(column) (\(construct)): \(message)"
    }
}

extension ChatTemplateError {
    /// An error raised deep inside a helper that does not know where it is; the interpreter fills
    /// the position in from the expression being evaluated (see ``positioned(_:)``).
    static func runtime(_ message: String, construct: String = "") -> ChatTemplateError {
        ChatTemplateError(kind: .runtime, message: message, line: 0, column: 0, construct: construct)
    }

    static func syntax(_ message: String, at position: SourcePosition, construct: String) -> ChatTemplateError {
        ChatTemplateError(kind: .syntax, message: message, line: position.line, column: position.column, construct: construct)
    }

    static func unsupported(_ message: String, at position: SourcePosition, construct: String) -> ChatTemplateError {
        ChatTemplateError(kind: .unsupported, message: message, line: position.line, column: position.column, construct: construct)
    }

    /// This error with a position and construct filled in where they were still unknown.
    func positioned(_ position: SourcePosition, construct fallback: String) -> ChatTemplateError {
        if line != 0 { return self }
        return ChatTemplateError(
            kind: kind, message: message, line: position.line, column: position.column,
            construct: construct.isEmpty ? fallback : construct)
    }
}
