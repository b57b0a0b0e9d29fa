extension ChatTemplate {
    /// ChatML, the template used for a model whose file carries none (as llama.cpp does).
    public static let chatMLSource = """
        {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """

    /// The model's own template from its GGUF metadata, or ChatML when it has none.
    public static func source(for file: GGUFFile) -> (source: String, isFallback: Bool) {
        if let own = file.string("tokenizer.chat_template") { return (own, false) }
        return (chatMLSource, true)
    }
}
