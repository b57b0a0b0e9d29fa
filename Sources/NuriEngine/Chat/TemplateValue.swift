/// A value handed to a chat template through `extra` (tools, documents, `date_string`, flags).
///
/// The cases mirror what Hugging Face passes from Python: `None`, booleans, integers, floats,
/// strings, lists and dicts. Objects keep their keys in insertion order because templates print
/// them with `tojson`, and the order of keys in that JSON must match what Python would write.
public enum TemplateValue: Sendable, Equatable {
    /// Jinja's `Undefined`: what a template sees for a name nobody set (`x is defined` is false).
    case undefined
    /// Python's `None` (`x is none` is true, it renders as `None`).
    case none
    /// A boolean (`True`/`False` when rendered).
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string.
    case string(String)
    /// A list.
    case array([TemplateValue])
    /// A dict whose keys keep their insertion order.
    case object(TemplateObject)
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A string value from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer value from a literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A floating-point value from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A boolean value from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A list value from a literal.
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    /// A dict value from a literal, keeping the literal's key order.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(TemplateObject(elements)) }
}
