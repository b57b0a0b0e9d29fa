/// String operations with Python's semantics, because templates are written against Python `str`.
///
/// Python works on Unicode scalars (code points) where Swift's `String` works on grapheme
/// clusters and compares by canonical equivalence; a template's `len`, slices, `strip()` and `==`
/// must count and compare the way Python does, or rendered prompts drift from Hugging Face's.
enum PythonText {
    /// `str.isspace()` for one code point, which is also what `\s` matches in Python's `re` and
    /// therefore what Jinja's whitespace control strips.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's line boundaries for `str.splitlines()` (used by the `indent` filter).
    static func isLineBoundary(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func scalars(_ string: String) -> [Unicode.Scalar] { Array(string.unicodeScalars) }

    static func fromScalars<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Code-point equality (Python's `==`), not Swift's canonical equivalence.
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.elementsEqual(rhs.unicodeScalars)
    }

    /// Code-point ordering (Python's `<`).
    static func less(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars)
    }

    /// `str.strip(chars)`, `lstrip`, `rstrip`: whitespace when `chars` is nil.
    static func strip(_ string: String, chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let strips: (Unicode.Scalar) -> Bool = { set?.contains($0) ?? isWhitespace($0) }
        let all = scalars(string)
        var start = 0
        var end = all.count
        if leading { while start < end, strips(all[start]) { start += 1 } }
        if trailing { while end > start, strips(all[end - 1]) { end -= 1 } }
        return fromScalars(all[start..<end])
    }

    /// `str.split(sep, maxsplit)`.
    static func split(_ string: String, separator: String?, maxSplit: Int) -> [String] {
        let all = scalars(string)
        guard let separator else { return splitOnWhitespace(all, maxSplit: maxSplit) }
        let sep = scalars(separator)
        var parts: [String] = []
        var start = 0
        var index = 0
        while index + sep.count <= all.count, maxSplit < 0 || parts.count < maxSplit {
            if all[index..<(index + sep.count)].elementsEqual(sep) {
                parts.append(fromScalars(all[start..<index]))
                index += sep.count
                start = index
            } else {
                index += 1
            }
        }
        parts.append(fromScalars(all[start...]))
        return parts
    }

    private static func splitOnWhitespace(_ all: [Unicode.Scalar], maxSplit: Int) -> [String] {
        var parts: [String] = []
        var index = 0
        while index < all.count {
            while index < all.count, isWhitespace(all[index]) { index += 1 }
            guard index < all.count else { break }
            if maxSplit >= 0, parts.count == maxSplit {
                // Python keeps the remainder whole (trailing whitespace included) once maxsplit is reached.
                parts.append(fromScalars(all[index...]))
                return parts
            }
            let start = index
            while index < all.count, !isWhitespace(all[index]) { index += 1 }
            parts.append(fromScalars(all[start..<index]))
        }
        return parts
    }

    /// `str.replace(old, new, count)`; an empty `old` inserts `new` between code points, as in Python.
    static func replace(_ string: String, _ old: String, _ new: String, count: Int) -> String {
        let all = scalars(string)
        let target = scalars(old)
        let replacement = scalars(new)
        var result: [Unicode.Scalar] = []
        var done = 0
        if target.isEmpty {
            for scalar in all {
                if count < 0 || done < count { result += replacement; done += 1 }
                result.append(scalar)
            }
            if count < 0 || done < count { result += replacement }
            return fromScalars(result)
        }
        var index = 0
        while index < all.count {
            if (count < 0 || done < count), index + target.count <= all.count,
                all[index..<(index + target.count)].elementsEqual(target)
            {
                result += replacement
                index += target.count
                done += 1
            } else {
                result.append(all[index])
                index += 1
            }
        }
        return fromScalars(result)
    }

    /// ``replace(_:_:_:count:)``, refused when the result would exceed the template size limit
    /// (`'x' * 10**6 | replace('', 'y' * 10**6)` would need a terabyte).
    static func boundedReplace(_ string: String, _ old: String, _ new: String, count: Int) throws(ChatTemplateError) -> String {
        let found = occurrences(of: old, in: string).count
        let replacements = count < 0 ? found : min(found, count)
        let growth = replacements.multipliedReportingOverflow(by: new.utf8.count)
        if growth.overflow || string.utf8.count + growth.partialValue > JinjaValue.maximumSize {
            throw .runtime("replaced text is larger than \(JinjaValue.maximumSize) bytes")
        }
        return replace(string, old, new, count: count)
    }

    /// Number of non-overlapping occurrences (`str.count`), and the first index (`str.find`).
    static func occurrences(of needle: String, in haystack: String) -> (count: Int, first: Int) {
        let all = scalars(haystack)
        let target = scalars(needle)
        if target.isEmpty { return (all.count + 1, 0) }
        var count = 0
        var first = -1
        var index = 0
        while index + target.count <= all.count {
            if all[index..<(index + target.count)].elementsEqual(target) {
                if first < 0 { first = index }
                count += 1
                index += target.count
            } else {
                index += 1
            }
        }
        return (count, first)
    }

    static func upper(_ string: String) -> String {
        fromScalars(string.unicodeScalars.flatMap { $0.properties.uppercaseMapping.unicodeScalars })
    }

    static func lower(_ string: String) -> String {
        let all = scalars(string)
        return fromScalars(all.indices.flatMap { lowered(all, at: $0) })
    }

    /// The lower-case mapping of `scalars[index]`, with Python's one context rule: a capital sigma
    /// that ends a word (a cased letter before it, none after, case-ignorable marks skipped)
    /// becomes final sigma `ς`.
    private static func lowered(_ scalars: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar] {
        let scalar = scalars[index]
        guard scalar == "\u{03A3}" else { return Array(scalar.properties.lowercaseMapping.unicodeScalars) }
        var before = index - 1
        while before >= 0, scalars[before].properties.isCaseIgnorable { before -= 1 }
        var final = before >= 0 && scalars[before].properties.isCased
        if final {
            var after = index + 1
            while after < scalars.count, scalars[after].properties.isCaseIgnorable { after += 1 }
            final = after == scalars.count || !scalars[after].properties.isCased
        }
        return [final ? "\u{03C2}" : "\u{03C3}"]
    }

    /// `str.capitalize()`: first code point in title case, the rest lower case.
    static func capitalize(_ string: String) -> String {
        let all = scalars(string)
        var result: [Unicode.Scalar] = []
        for index in all.indices {
            result += index == 0 ? Array(all[0].properties.titlecaseMapping.unicodeScalars) : lowered(all, at: index)
        }
        return fromScalars(result)
    }

    /// `str.title()`: a cased letter after an uncased one starts a word (so `they're` → `They'Re`).
    static func title(_ string: String) -> String {
        let all = scalars(string)
        var result: [Unicode.Scalar] = []
        var previousCased = false
        for index in all.indices {
            let properties = all[index].properties
            if properties.isCased {
                result += previousCased ? lowered(all, at: index) : Array(properties.titlecaseMapping.unicodeScalars)
            } else {
                result.append(all[index])
            }
            previousCased = properties.isCased
        }
        return fromScalars(result)
    }

    /// Jinja's `title` filter, which differs from `str.title()`: words start after `-`, whitespace,
    /// `(`, `{`, `[` or `<`, and each word is its first code point upper-cased plus the rest
    /// lower-cased (`word[0].upper() + word[1:].lower()`).
    static func jinjaTitle(_ string: String) -> String {
        let isBoundary: (Unicode.Scalar) -> Bool = { "-({[<".unicodeScalars.contains($0) || isWhitespace($0) }
        var result: [Unicode.Scalar] = []
        var word: [Unicode.Scalar] = []
        func flushWord() {
            guard let first = word.first else { return }
            result += first.properties.uppercaseMapping.unicodeScalars
            let rest = Array(word.dropFirst())
            result += rest.indices.flatMap { lowered(rest, at: $0) }
            word.removeAll()
        }
        for scalar in string.unicodeScalars {
            if isBoundary(scalar) {
                flushWord()
                result.append(scalar)
            } else {
                word.append(scalar)
            }
        }
        flushWord()
        return fromScalars(result)
    }

    /// `str.splitlines()` (without keepends).
    static func splitLines(_ string: String) -> [String] {
        let all = scalars(string)
        var lines: [String] = []
        var start = 0
        var index = 0
        while index < all.count {
            if isLineBoundary(all[index]) {
                lines.append(fromScalars(all[start..<index]))
                if all[index] == "\r", index + 1 < all.count, all[index + 1] == "\n" { index += 1 }
                index += 1
                start = index
            } else {
                index += 1
            }
        }
        if start < all.count { lines.append(fromScalars(all[start...])) }
        return lines
    }
}
