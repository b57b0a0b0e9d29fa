/// One turn of a conversation, as a chat template sees it: `message['role']` and `message['content']`.
///
/// Roles are free text because templates decide what they accept (`system`, `user`, `assistant`,
/// `tool` …); a template that rejects a role or an order says so with a ``ChatTemplateError`` of
/// kind ``ChatTemplateError/Kind/raised``.
public struct ChatMessage: Sendable, Equatable {
    /// Who speaks: `system`, `user`, `assistant`, or whatever the template understands.
    public var role: String
    /// What they say, as plain text.
    public var content: String

    /// A message with the given role and content.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
