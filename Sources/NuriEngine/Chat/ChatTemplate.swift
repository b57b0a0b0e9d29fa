/// A model's chat template (GGUF metadata key `tokenizer.chat_template`), parsed once and
/// rendered per request into the prompt text the model was trained on.
///
/// Templates are Jinja2, and Hugging Face renders them with Python's `jinja2` configured with
/// `trim_blocks=True`, `lstrip_blocks=True`, the `loopcontrols` extension, a JSON-only `tojson`
/// and the globals `raise_exception` and `strftime_now`. This type implements the subset of
/// Jinja those templates use, with the same output byte for byte (checked against `jinja2` by
/// the fixtures in `Tests/NuriEngineTests/Fixtures/chat`). Anything outside the subset is a
/// ``ChatTemplateError`` naming the construct and its position, never a crash.
///
/// ```swift
/// let template = try ChatTemplate(source: metadata.chatTemplate)
/// let prompt = try template.render(
///     messages: [ChatMessage(role: "user", content: "안녕하세요")],
///     addGenerationPrompt: true, bosToken: "<bos>", eosToken: "<eos>")
/// ```
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [JinjaNode]

    /// Parses `source`; syntax errors and unsupported constructs (`{% include %}`, an unknown
    /// filter or test) are reported here rather than at the first render.
    public init(source: String) throws(ChatTemplateError) {
        self.source = source
        var lexer = JinjaLexer(source: source)
        var parser = JinjaParser(tokens: try lexer.tokenize())
        nodes = try parser.parseTemplate()
    }

    /// Renders a conversation into prompt text.
    ///
    /// The template sees what Hugging Face's `apply_chat_template` passes: `messages` (each with
    /// `role` and `content`), `add_generation_prompt`, `bos_token`, `eos_token`, and `tools` and
    /// `documents` as `None` unless `extra` provides them. Other `extra` entries (`date_string`,
    /// `tools_in_user_message`, …) become variables too; the named parameters take precedence
    /// over `extra` keys of the same name.
    ///
    /// - Parameters:
    ///   - messages: The conversation so far.
    ///   - addGenerationPrompt: Whether to end with the header that starts the assistant's reply.
    ///   - bosToken: The model's beginning-of-sequence text (templates such as Gemma's print it).
    ///   - eosToken: The model's end-of-sequence text.
    ///   - extra: Further template variables.
    /// - Throws: ``ChatTemplateError`` of kind ``ChatTemplateError/Kind/raised`` when the template
    ///   rejects the conversation (for example roles that do not alternate), or another kind when
    ///   rendering fails.
    public func render(
        messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String,
        extra: [String: TemplateValue] = [:]
    ) throws(ChatTemplateError) -> String {
        var context = TemplateObject()
        for key in extra.keys.sorted() { context[key] = extra[key] }  // sorted: the same order every call
        context["messages"] = .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        context["bos_token"] = .string(bosToken)
        context["eos_token"] = .string(eosToken)
        return try render(context: context, clock: .system)
    }

    /// Renders with an explicit set of variables (messages richer than ``ChatMessage``, such as
    /// tool calls) and clock; `tools` and `documents` default to `None` as in Hugging Face.
    func render(context: TemplateObject, clock: JinjaClock) throws(ChatTemplateError) -> String {
        var variables: [String: JinjaValue] = ["tools": .none, "documents": .none]
        for (key, value) in context { variables[key] = JinjaValue(value) }
        return try JinjaInterpreter(context: variables, clock: clock).render(nodes)
    }
}
