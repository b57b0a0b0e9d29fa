/// How values become text: Python's `str()` (what `{{ x }}`, `~` and `|string` produce) and
/// `repr()` (how items appear inside a printed list or dict), so `{{ [1, 'a', None] }}` prints
/// `[1, 'a', None]` exactly as in Python.
extension JinjaValue {
    /// Python's `str(value)`; undefined renders as the empty string.
    var pythonString: String {
        switch self {
        case .undefined: return ""
        case .string(let value): return value
        default: return pythonRepr
        }
    }

    /// Python's `repr(value)`. Writing stops soon after ``maximumSize`` bytes, so the caller that
    /// keeps the text (output, `~`, `|string`) sees it is too large and fails instead of a
    /// runaway structure filling memory; a namespace inside itself prints as `<Namespace {...}>`.
    var pythonRepr: String {
        var text = ""
        var open = Set<ObjectIdentifier>()
        appendRepr(to: &text, open: &open)
        return text
    }

    private func appendRepr(to text: inout String, open: inout Set<ObjectIdentifier>) {
        guard text.utf8.count <= JinjaValue.maximumSize else { return }
        switch self {
        case .undefined: text += "Undefined"
        case .none: text += "None"
        case .bool(let value): text += value ? "True" : "False"
        case .int(let value): text += String(value)
        case .double(let value): text += PythonRepr.float(value)
        case .string(let value): text += PythonRepr.string(value)
        case .array(let values): Self.appendItems(values, "[", "]", to: &text, open: &open)
        case .tuple(let values): Self.appendItems(values, "(", values.count == 1 ? ",)" : ")", to: &text, open: &open)
        case .object(let object): Self.appendPairs(object, to: &text, open: &open)
        case .iterator: text += "<generator object>"
        case .namespace(let namespace):
            let id = ObjectIdentifier(namespace)
            guard open.insert(id).inserted else {
                text += "<Namespace {...}>"
                return
            }
            text += "<Namespace "
            Self.appendPairs(namespace.attributes, to: &text, open: &open)
            text += ">"
            open.remove(id)
        case .loop(let loop): text += "<LoopContext \(loop.index0 + 1)/\(loop.length)>"
        case .callable(let callable):
            switch callable {
            case .global(let name): text += "<function \(name)>"
            case .method(let receiver, let name): text += "<built-in method \(name) of \(receiver.typeName) object>"
            case .macro(let macro): text += "<Macro '\(macro.name)'>"
            }
        }
    }

    private static func appendItems(
        _ values: [JinjaValue], _ open: String, _ close: String, to text: inout String, open openNamespaces: inout Set<ObjectIdentifier>
    ) {
        text += open
        for (index, value) in values.enumerated() {
            if index > 0 { text += ", " }
            value.appendRepr(to: &text, open: &openNamespaces)
            if text.utf8.count > JinjaValue.maximumSize { return }
        }
        text += close
    }

    private static func appendPairs(_ object: JinjaObject, to text: inout String, open: inout Set<ObjectIdentifier>) {
        text += "{"
        for (index, pair) in object.pairs.enumerated() {
            if index > 0 { text += ", " }
            text += PythonRepr.string(pair.key) + ": "
            pair.value.appendRepr(to: &text, open: &open)
            if text.utf8.count > JinjaValue.maximumSize { return }
        }
        text += "}"
    }
}

/// Python's `repr` of floats and strings.
enum PythonRepr {
    /// `repr(float)`: the shortest digits that round-trip, positional between 1e-4 and 1e16,
    /// scientific outside (`1e-05`, `1e+16`), and always a `.0` on whole numbers.
    static func float(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let (negative, digits, pointPosition) = shortestDigits(value)
        let sign = negative ? "-" : ""
        if pointPosition > -4, pointPosition <= 16 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let exponent = pointPosition - 1
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        let exponentDigits = String(abs(exponent))
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
            + (exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits)
    }

    /// The sign, the significant digits without leading or trailing zeros, and where the decimal
    /// point goes relative to them (value = 0.digits × 10^pointPosition). Swift's `description`
    /// already finds the shortest round-trip digits; only its layout differs from Python's.
    private static func shortestDigits(_ value: Double) -> (Bool, String, Int) {
        var text = Substring(value.description)
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let integerPart = text.prefix { $0 != "." }
        let fraction = text.drop { $0 != "." }.dropFirst()
        var digits = String(integerPart) + fraction
        var pointPosition = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return (negative, "0", 1) }
        return (negative, digits, pointPosition)
    }

    /// `repr(str)`: single quotes unless the text has a `'` and no `"`; escapes for backslashes,
    /// the quote, `\n \r \t`, and code points Python does not consider printable.
    static func string(_ string: String) -> String {
        let hasSingle = string.unicodeScalars.contains("'")
        let hasDouble = string.unicodeScalars.contains("\"")
        let quote: Unicode.Scalar = hasSingle && !hasDouble ? "\"" : "'"
        var result = String.UnicodeScalarView()
        result.append(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case quote, "\\":
                result.append("\\")
                result.append(scalar)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            default:
                if isPrintable(scalar) {
                    result.append(scalar)
                } else {
                    result.append(contentsOf: escaped(scalar).unicodeScalars)
                }
            }
        }
        result.append(quote)
        return String(result)
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        if scalar.value < 0x100 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if scalar.value < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
