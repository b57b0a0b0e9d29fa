/// Splits a template into tokens the way Jinja 3's lexer does with Hugging Face's settings:
/// `trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`.
///
/// Whitespace control is resolved here, as in Jinja, so the parser only sees final text:
/// - `{%-`, `{{-`, `{#-` strip all whitespace before the tag; `-%}`, `-}}`, `-#}` strip it after;
/// - `trim_blocks` drops the first newline after `%}` and `#}` (not after `}}`);
/// - `lstrip_blocks` drops spaces and tabs between the start of a line and `{%` or `{#`;
/// - `+` after the opener or before `%}` turns the two block options off for that side.
struct JinjaLexer {
    private let scalars: [Unicode.Scalar]
    /// Index of the first scalar of each line, to turn an index into a line and column.
    private let lineStarts: [Int]
    private var tokens: [JinjaToken] = []
    private var pos = 0
    /// Jinja's `line_starting`: the previous token ended with a newline, so text before the next
    /// block tag counts as the start of a line for `lstrip_blocks`.
    private var lineStarting = true

    /// What a `{` starts: `{{`, `{%`, `{#`, or `{% raw %}`.
    private enum Opener { case variable, block, comment, raw }

    init(source: String) {
        // Jinja normalises every line ending to "\n" and drops one trailing newline.
        var normalised: [Unicode.Scalar] = []
        normalised.reserveCapacity(source.unicodeScalars.count)
        var previousWasCR = false
        for scalar in source.unicodeScalars {
            if scalar == "\r" {
                normalised.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            normalised.append(scalar)
        }
        if normalised.last == "\n" { normalised.removeLast() }
        scalars = normalised
        var starts = [0]
        for (index, scalar) in normalised.enumerated() where scalar == "\n" { starts.append(index + 1) }
        lineStarts = starts
    }

    /// The template's tokens, ending with `.end`.
    mutating func tokenize() throws(ChatTemplateError) -> [JinjaToken] {
        while pos < scalars.count {
            guard let (start, opener, sign) = nextOpener(from: pos) else {
                appendText(from: pos, to: scalars.count)
                pos = scalars.count
                break
            }
            appendText(from: pos, to: textEnd(before: start, sign: sign, opener: opener))
            let afterOpener = start + 2 + (sign == nil ? 0 : 1)
            switch opener {
            case .comment: try skipComment(openedAt: start, from: afterOpener)
            case .raw: try lexRaw(openedAt: start)
            case .variable:
                tokens.append(JinjaToken(kind: .variableBegin, position: position(of: start)))
                pos = afterOpener
                try lexTag(block: false, openedAt: start)
            case .block:
                tokens.append(JinjaToken(kind: .blockBegin, position: position(of: start)))
                pos = afterOpener
                try lexTag(block: true, openedAt: start)
            }
        }
        tokens.append(JinjaToken(kind: .end, position: position(of: scalars.count)))
        return tokens
    }

    // MARK: - Text and whitespace control

    /// Where the next tag opens, which kind it is, and its whitespace sign (`-` or `+`), if any.
    private func nextOpener(from start: Int) -> (Int, Opener, Unicode.Scalar?)? {
        var index = start
        while index + 1 < scalars.count {
            if scalars[index] == "{" {
                let kind: Opener?
                switch scalars[index + 1] {
                case "{": kind = .variable
                case "%": kind = isRawBegin(at: index) ? .raw : .block
                case "#": kind = .comment
                default: kind = nil
                }
                if let kind {
                    let signIndex = index + 2
                    let sign = signIndex < scalars.count && (scalars[signIndex] == "-" || scalars[signIndex] == "+")
                        ? scalars[signIndex] : nil
                    return (index, kind, sign)
                }
            }
            index += 1
        }
        return nil
    }

    /// The end of the text before a tag, after `{%-` stripping or `lstrip_blocks`.
    private func textEnd(before tag: Int, sign: Unicode.Scalar?, opener: Opener) -> Int {
        var end = tag
        if sign == "-" {
            while end > pos, PythonText.isWhitespace(scalars[end - 1]) { end -= 1 }
            return end
        }
        // lstrip_blocks applies to block and comment tags, never to `{{`, and `+` disables it.
        guard sign != "+", opener != .variable else { return end }
        var lineStart = end
        while lineStart > pos, scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        let textHasNewline = lineStart > pos
        guard textHasNewline || lineStarting, lineStart < end else { return end }
        if scalars[lineStart..<end].allSatisfy(PythonText.isWhitespace) { end = lineStart }
        return end
    }

    private mutating func appendText(from start: Int, to end: Int) {
        guard start < end else { return }
        tokens.append(JinjaToken(kind: .text(PythonText.fromScalars(scalars[start..<end])), position: position(of: start)))
    }

    /// `{# … #}`: nothing is emitted, but its closing form still trims what follows.
    private mutating func skipComment(openedAt start: Int, from bodyStart: Int) throws(ChatTemplateError) {
        var index = bodyStart
        while index < scalars.count {
            if (scalars[index] == "+" || scalars[index] == "-"), matches("#}", at: index + 1) {
                pos = index + 3
                if scalars[index] == "-" { skipWhitespace() }
                lineStarting = pos > 0 && scalars[pos - 1] == "\n"
                return
            }
            if matches("#}", at: index) {
                pos = index + 2
                if pos < scalars.count, scalars[pos] == "\n" { pos += 1 }  // trim_blocks
                lineStarting = scalars[pos - 1] == "\n"
                return
            }
            index += 1
        }
        throw .syntax("missing end of comment tag '#}'", at: position(of: start), construct: "{# … #}")
    }

    // MARK: - Raw blocks

    /// `{% raw %}` (with optional signs and spaces): everything up to `{% endraw %}` is text.
    private func isRawBegin(at start: Int) -> Bool {
        var index = start + 2
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" { index += 1 }
        while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
        guard matches("raw", at: index) else { return false }
        index += 3
        while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
        return matches("-%}", at: index) || matches("%}", at: index)
    }

    private mutating func lexRaw(openedAt start: Int) throws(ChatTemplateError) {
        var index = start + 2
        while index < scalars.count, !matches("%}", at: index) { index += 1 }  // isRawBegin found it
        let closedWithMinus = index > 0 && scalars[index - 1] == "-"
        pos = index + 2
        if closedWithMinus { skipWhitespace() }  // `{% raw -%}`; Jinja applies no trim_blocks here
        lineStarting = pos > 0 && scalars[pos - 1] == "\n"
        var search = pos
        while search + 1 < scalars.count {
            if scalars[search] == "{", scalars[search + 1] == "%", let (sign, after) = endRaw(at: search) {
                appendText(from: pos, to: textEnd(before: search, sign: sign, opener: .block))
                pos = after
                lineStarting = pos > 0 && scalars[pos - 1] == "\n"
                return
            }
            search += 1
        }
        throw .syntax("missing '{% endraw %}' for this raw block", at: position(of: start), construct: "{% raw %}")
    }

    /// If `{% endraw %}` starts at `start`: its opening sign and the index after its closer.
    private func endRaw(at start: Int) -> (Unicode.Scalar?, Int)? {
        var index = start + 2
        var sign: Unicode.Scalar?
        if index < scalars.count, scalars[index] == "-" || scalars[index] == "+" {
            sign = scalars[index]
            index += 1
        }
        while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
        guard matches("endraw", at: index) else { return nil }
        index += 6
        while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
        if matches("+%}", at: index) { return (sign, index + 3) }
        if matches("-%}", at: index) {
            index += 3
            while index < scalars.count, PythonText.isWhitespace(scalars[index]) { index += 1 }
            return (sign, index)
        }
        guard matches("%}", at: index) else { return nil }
        index += 2
        if index < scalars.count, scalars[index] == "\n" { index += 1 }
        return (sign, index)
    }

    // MARK: - Inside {{ }} and {% %}

    private mutating func lexTag(block: Bool, openedAt start: Int) throws(ChatTemplateError) {
        // Closers expected, innermost last: `}}` inside `{'a': {'b': 1}}` must not end the tag.
        var brackets: [Unicode.Scalar] = []
        while true {
            skipWhitespace()
            guard pos < scalars.count else {
                let construct = block ? "{% … %}" : "{{ … }}"
                throw .syntax(
                    "unexpected end of template: this tag is never closed with '\(block ? "%}" : "}}")'",
                    at: position(of: start), construct: construct)
            }
            // Like Jinja, the closer only counts when brackets are balanced.
            if brackets.isEmpty, closeTag(block: block) { return }
            try lexToken(brackets: &brackets)
        }
    }

    /// Consumes the tag's closer if it is here, applying `-` stripping and `trim_blocks`.
    private mutating func closeTag(block: Bool) -> Bool {
        let at = position(of: pos)
        let close = block ? "%}" : "}}"
        let endKind: JinjaToken.Kind = block ? .blockEnd : .variableEnd
        if matches("-" + close, at: pos) {
            tokens.append(JinjaToken(kind: endKind, position: at))
            pos += 3
            skipWhitespace()
        } else if block, matches("+%}", at: pos) {
            tokens.append(JinjaToken(kind: endKind, position: at))
            pos += 3
        } else if matches(close, at: pos) {
            tokens.append(JinjaToken(kind: endKind, position: at))
            pos += 2
            if block, pos < scalars.count, scalars[pos] == "\n" { pos += 1 }  // trim_blocks
        } else {
            return false
        }
        lineStarting = scalars[pos - 1] == "\n"
        return true
    }

    private mutating func lexToken(brackets: inout [Unicode.Scalar]) throws(ChatTemplateError) {
        let start = pos
        let scalar = scalars[pos]
        let at = position(of: start)
        if scalar.properties.numericType == .decimal, scalar.isASCII {
            tokens.append(JinjaToken(kind: try lexNumber(), position: at))
        } else if scalar == "_" || scalar.properties.isAlphabetic {
            while pos < scalars.count, scalars[pos] == "_" || scalars[pos].properties.isAlphabetic
                || (scalars[pos].isASCII && scalars[pos].properties.numericType == .decimal)
            {
                pos += 1
            }
            tokens.append(JinjaToken(kind: .name(PythonText.fromScalars(scalars[start..<pos])), position: at))
        } else if scalar == "'" || scalar == "\"" {
            tokens.append(JinjaToken(kind: .string(try lexString()), position: at))
        } else {
            tokens.append(JinjaToken(kind: .op(try lexOperator(brackets: &brackets)), position: at))
        }
    }

    private mutating func lexNumber() throws(ChatTemplateError) -> JinjaToken.Kind {
        let start = pos
        scanDigits()
        var isFloat = false
        // Jinja's float rule has a `(?<!\.)` look-behind so `x.0.1` is two subscripts, not `x.(0.1)`.
        let afterDot = start > 0 && scalars[start - 1] == "."
        if !afterDot {
            if pos + 1 < scalars.count, scalars[pos] == ".", isDigit(scalars[pos + 1]) {
                pos += 1
                scanDigits()
                isFloat = true
            }
            if pos < scalars.count, scalars[pos] == "e" || scalars[pos] == "E" {
                var exponent = pos + 1
                if exponent < scalars.count, scalars[exponent] == "+" || scalars[exponent] == "-" { exponent += 1 }
                if exponent < scalars.count, isDigit(scalars[exponent]) {
                    pos = exponent
                    scanDigits()
                    isFloat = true
                }
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<pos].filter { $0 != "_" }))
        if isFloat, let value = Double(text) { return .float(value) }
        if let value = Int(text) { return .integer(value) }
        throw .unsupported(
            "integer literal \(text) is too large (Python integers are unbounded; this interpreter uses 64 bits)",
            at: position(of: start), construct: "number literal")
    }

    private mutating func scanDigits() {
        while pos < scalars.count {
            if isDigit(scalars[pos]) {
                pos += 1
            } else if scalars[pos] == "_", pos + 1 < scalars.count, isDigit(scalars[pos + 1]) {
                pos += 2
            } else {
                break
            }
        }
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    /// A quoted string with Python's `unicode-escape` rules (Jinja decodes literals that way).
    private mutating func lexString() throws(ChatTemplateError) -> String {
        let start = pos
        let quote = scalars[pos]
        pos += 1
        var result: [Unicode.Scalar] = []
        while pos < scalars.count, scalars[pos] != quote {
            let scalar = scalars[pos]
            guard scalar == "\\", pos + 1 < scalars.count else {
                result.append(scalar)
                pos += 1
                continue
            }
            let escaped = scalars[pos + 1]
            pos += 2
            switch escaped {
            case "\n": break  // a backslash before a newline joins the lines
            case "\\", "'", "\"": result.append(escaped)
            case "a": result.append("\u{07}")
            case "b": result.append("\u{08}")
            case "f": result.append("\u{0C}")
            case "n": result.append("\n")
            case "r": result.append("\r")
            case "t": result.append("\t")
            case "v": result.append("\u{0B}")
            case "0"..."7":
                var value = escaped.value - 0x30
                var digits = 1
                while digits < 3, pos < scalars.count, ("0"..."7").contains(scalars[pos]) {
                    value = value * 8 + scalars[pos].value - 0x30
                    pos += 1
                    digits += 1
                }
                result.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            case "x", "u", "U":
                let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                guard pos + width <= scalars.count,
                    let value = UInt32(PythonText.fromScalars(scalars[pos..<(pos + width)]), radix: 16),
                    let decoded = Unicode.Scalar(value)
                else {
                    throw .syntax("invalid \\\(escaped) escape in string literal", at: position(of: pos - 2), construct: "string literal")
                }
                result.append(decoded)
                pos += width
            case "N":
                throw .unsupported("\\N{…} named escapes are not supported", at: position(of: pos - 2), construct: "string literal")
            default:
                // Python keeps unknown escapes as written.
                result.append("\\")
                result.append(escaped)
            }
        }
        guard pos < scalars.count else {
            throw .syntax("unterminated string literal", at: position(of: start), construct: "string literal")
        }
        pos += 1  // closing quote
        return PythonText.fromScalars(result)
    }

    private static let twoCharacterOperators: Set<String> = ["//", "**", "==", "!=", ">=", "<="]
    private static let oneCharacterOperators: Set<Unicode.Scalar> = [
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private mutating func lexOperator(brackets: inout [Unicode.Scalar]) throws(ChatTemplateError) -> String {
        let at = position(of: pos)
        if pos + 1 < scalars.count {
            let pair = PythonText.fromScalars(scalars[pos...(pos + 1)])
            if Self.twoCharacterOperators.contains(pair) {
                pos += 2
                return pair
            }
        }
        let scalar = scalars[pos]
        guard Self.oneCharacterOperators.contains(scalar) else {
            throw .syntax("unexpected character '\(scalar)'", at: at, construct: "expression")
        }
        pos += 1
        switch scalar {
        case "(": brackets.append(")")
        case "[": brackets.append("]")
        case "{": brackets.append("}")
        case ")", "]", "}":
            guard let expected = brackets.popLast() else {
                throw .syntax("unexpected '\(scalar)'", at: at, construct: "expression")
            }
            guard expected == scalar else {
                throw .syntax("unexpected '\(scalar)', expected '\(expected)'", at: at, construct: "expression")
            }
        default: break
        }
        return String(scalar)
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while pos < scalars.count, PythonText.isWhitespace(scalars[pos]) { pos += 1 }
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var cursor = index
        for scalar in literal.unicodeScalars {
            guard cursor < scalars.count, scalars[cursor] == scalar else { return false }
            cursor += 1
        }
        return true
    }

    private func position(of index: Int) -> SourcePosition {
        // Binary search for the last line starting at or before `index`.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return SourcePosition(line: low + 1, column: index - lineStarts[low] + 1)
    }
}
