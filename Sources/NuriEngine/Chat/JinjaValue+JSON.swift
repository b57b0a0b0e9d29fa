/// The `tojson` filter as Hugging Face defines it for chat templates, which replaces Jinja's own:
/// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`, with no
/// HTML escaping. Tool definitions reach models through it, so the bytes must match Python's.
struct JinjaJSONStyle {
    var ensureASCII = false
    /// nil for one line; otherwise the text repeated per level (`indent=4` is four spaces).
    var indent: String?
    var itemSeparator: String
    var keySeparator: String
    var sortKeys = false

    /// Python's defaults: `', '` and `': '` on one line, `','` and `': '` when indenting.
    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false) {
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.itemSeparator = separators?.0 ?? (indent == nil ? ", " : ",")
        self.keySeparator = separators?.1 ?? ": "
        self.sortKeys = sortKeys
    }
}

extension JinjaValue {
    func json(_ style: JinjaJSONStyle, level: Int = 0) throws(ChatTemplateError) -> String {
        switch self {
        case .none: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
            return PythonRepr.float(value)
        case .string(let value): return Self.jsonString(value, ensureASCII: style.ensureASCII)
        case .array(let values), .tuple(let values):
            if values.isEmpty { return "[]" }
            var parts: [String] = []
            var size = 0
            for value in values {
                parts.append(try value.json(style, level: level + 1))
                size += parts[parts.count - 1].utf8.count
                try Self.checkJSONSize(size)
            }
            return Self.wrap(parts, open: "[", close: "]", style: style, level: level)
        case .object(let object):
            if object.count == 0 { return "{}" }
            var pairs = object.pairs
            if style.sortKeys { pairs.sort { PythonText.less($0.key, $1.key) } }
            var parts: [String] = []
            var size = 0
            for (key, value) in pairs {
                parts.append(
                    Self.jsonString(key, ensureASCII: style.ensureASCII) + style.keySeparator
                        + (try value.json(style, level: level + 1)))
                size += parts[parts.count - 1].utf8.count
                try Self.checkJSONSize(size)
            }
            return Self.wrap(parts, open: "{", close: "}", style: style, level: level)
        case .undefined, .iterator, .namespace, .loop, .callable:
            throw .runtime("Object of type \(typeName) is not JSON serializable", construct: "filter 'tojson'")
        }
    }

    private static func checkJSONSize(_ size: Int) throws(ChatTemplateError) {
        if size > maximumSize { throw .runtime("JSON larger than \(maximumSize) bytes", construct: "filter 'tojson'") }
    }

    private static func wrap(_ parts: [String], open: String, close: String, style: JinjaJSONStyle, level: Int) -> String {
        guard let indent = style.indent else {
            return open + parts.joined(separator: style.itemSeparator) + close
        }
        let inner = "\n" + String(repeating: indent, count: level + 1)
        let outer = "\n" + String(repeating: indent, count: level)
        return open + inner + parts.joined(separator: style.itemSeparator + inner) + outer + close
    }

    /// A JSON string literal the way Python's `json` writes it: `\"`, `\\`, the short escapes,
    /// `\u00XX` (lower-case hex) for other control characters, and with `ensure_ascii` every
    /// non-ASCII code point as `\uXXXX` (astral ones as surrogate pairs).
    static func jsonString(_ string: String, ensureASCII: Bool) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    result += unicodeEscape(scalar.value)
                } else if ensureASCII, scalar.value > 0x7E {
                    if scalar.value > 0xFFFF {
                        let offset = scalar.value - 0x10000
                        result += unicodeEscape(0xD800 + (offset >> 10)) + unicodeEscape(0xDC00 + (offset & 0x3FF))
                    } else {
                        result += unicodeEscape(scalar.value)
                    }
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
