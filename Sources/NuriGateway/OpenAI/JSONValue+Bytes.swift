import Foundation

/// JSON text to ``JSONValue`` and back without `JSONDecoder`/`JSONEncoder`.
///
/// The remote relay parses and writes every request, answer and stream chunk it passes on as
/// ``JSONValue``; through Foundation's coders (which try each type in turn, throwing as they
/// go) that was a fifth of the gateway's CPU time per request. This is a plain recursive-descent
/// parser (RFC 8259; nesting limited to ``maximumDepth``) and a writer that escapes only what
/// JSON requires (`/` and non-ASCII stay as they are).
extension JSONValue {
    /// Deepest nesting accepted, so that hostile input cannot exhaust the stack.
    public static let maximumDepth = 512

    /// Parses one JSON text (surrounding whitespace allowed).
    public init(parsing bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        let array = Array(bytes)
        var result: JSONValue = .null
        try array.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in
            var parser = JSONParser(bytes: buffer)
            parser.skipWhitespace()
            result = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.error("unexpected text after the JSON value") }
        }
        self = result
    }

    /// The value as compact JSON text, UTF-8.
    public var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    /// Appends the value as compact JSON text.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value): Self.writeNumber(value, to: &out)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity; parsing never makes one
            return
        }
        if value == value.rounded(), abs(value) < 9.007_199_254_740_992e15 {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else {
            out.append(contentsOf: "\(value)".utf8)  // shortest text that reads back the same
        }
    }

    static func writeString(_ value: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// What is wrong with a JSON text, and where (byte offset).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public var description: String { "not valid JSON at byte \(offset): \(message)" }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of the text") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [String: JSONValue] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                index += 1
                skipWhitespace()
                members[key] = try value(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end inside an object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            index += 1
            var values: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                skipWhitespace()
                values.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end inside an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(values) }
                throw error("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of the text") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw error("unexpected character")
        }
        index += count
    }

    mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) { parser.index += 1 }
            return parser.index - from
        }
        let integer = digits(&self)
        guard integer > 0 else { throw error("unexpected character") }
        if integer > 1, bytes[index - integer] == UInt8(ascii: "0") { throw error("a number may not start with 0") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("expected digits in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        return value
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1  // the opening quote
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw error("control character in a string") }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end inside a string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw error("invalid escape in a string")
                }
            default:
                guard byte >= 0x20 else { throw error("control character in a string") }
                out.append(byte)
                index += 1
            }
        }
        throw error("unexpected end inside a string")
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}

// MARK: Reading a few members and passing the rest on as it came

/// Where the members of a JSON object sit in its text, found without building their values: the
/// relay reads the few fields it needs (the model, a message's content) and passes everything
/// else on byte for byte, editing the text in place with ``JSONEdits``.
public struct JSONMembers: Sendable {
    public struct Member: Sendable {
        public let key: String
        /// The value's text: a string with its quotes, an object with its braces.
        public let value: Range<Int>
    }

    public let members: [Member]
    /// The object's text, braces included.
    public let range: Range<Int>

    /// The object that `range` of `bytes` holds (whitespace around it allowed); checks the whole
    /// text is valid JSON.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) throws(JSONSyntaxError) {
        var members: [Member] = []
        self.range = try JSONParser.forEachMember(ofObjectIn: bytes, range: range ?? 0..<bytes.count) { (parser, key) throws(JSONSyntaxError) in
            let valueStart = parser.index
            try parser.skipValue(depth: 1)
            let name = key.decoded ?? String(decoding: UnsafeBufferPointer(rebasing: parser.bytes[key.raw]), as: UTF8.self)
            members.append(Member(key: name, value: valueStart..<parser.index))
        }
        self.members = members
    }

    /// The value of `key` (the last, if the name repeats, as when parsing into a dictionary).
    public subscript(key: String) -> Range<Int>? {
        members.last { $0.key == key }?.value
    }

    /// The elements of the array whose text is `range` of `bytes` (already checked valid).
    public static func elements(_ bytes: [UInt8], range: Range<Int>) throws(JSONSyntaxError) -> [Range<Int>] {
        var elements: [Range<Int>] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in
            var parser = JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
            parser.index = range.lowerBound
            try parser.forEachElement(depth: 0) { (parser) throws(JSONSyntaxError) in
                let start = parser.index
                try parser.skipValue(depth: 1)
                elements.append(start..<parser.index)
            }
        }
        return elements
    }

    /// The value whose text is `range` of `bytes`, built.
    public static func value(_ bytes: [UInt8], range: Range<Int>) throws(JSONSyntaxError) -> JSONValue {
        try JSONValue(parsing: bytes[range])
    }

    /// The numbers held by the members `first` and `second` of the object whose text is `range`
    /// of `bytes`, read in place (no value built): nil where the member is missing or holds
    /// something else; the last of a repeated name wins, as when parsing into a dictionary.
    public static func numbers(_ bytes: [UInt8], range: Range<Int>, _ first: StaticString, _ second: StaticString)
        throws(JSONSyntaxError) -> (Double?, Double?) {
        var numbers: (Double?, Double?) = (nil, nil)
        _ = try JSONParser.forEachMember(ofObjectIn: bytes, range: range) { (parser, key) throws(JSONSyntaxError) in
            let isFirst = parser.matches(key, first)
            guard isFirst || parser.matches(key, second) else { return try parser.skipValue(depth: 1) }
            var number: Double?
            if let byte = parser.peek, byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 {
                number = try parser.number()
            } else {
                try parser.skipValue(depth: 1)
            }
            if isFirst { numbers.0 = number } else { numbers.1 = number }
        }
        return numbers
    }

    /// The string whose JSON text (quotes included) is `range` of `bytes`; nil for any other kind.
    public static func string(_ bytes: [UInt8], range: Range<Int>) throws(JSONSyntaxError) -> String? {
        guard kind(bytes, range: range) == .string else { return nil }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> String in
            var parser = JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
            parser.index = range.lowerBound
            return try parser.string()
        }
    }

    /// What kind of value the text at `range` is, from its first byte.
    public static func kind(_ bytes: [UInt8], range: Range<Int>) -> Kind {
        guard let first = range.first.map({ bytes[$0] }) else { return .other }
        switch first {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "n"): return .null
        default: return .other
        }
    }

    public enum Kind: Sendable { case object, array, string, null, other }
}

/// Replacements in a JSON text (by byte range), applied in one pass.
public struct JSONEdits: Sendable {
    private typealias Edit = (range: Range<Int>, bytes: [UInt8])
    /// The first two edits are kept inline (a streamed chunk has at most two, its model and its
    /// content, and the relay edits every chunk); any more go to `more`.
    private var first: Edit?
    private var second: Edit?
    private var more: [Edit] = []

    public init() {}

    public var isEmpty: Bool { first == nil }

    /// Replaces `range` with `bytes` (an empty range inserts). Ranges must not overlap.
    public mutating func replace(_ range: Range<Int>, with bytes: [UInt8]) {
        if first == nil {
            first = (range, bytes)
        } else if second == nil {
            second = (range, bytes)
        } else {
            more.append((range, bytes))
        }
    }

    /// Replaces `range` with `value` as JSON.
    public mutating func replace(_ range: Range<Int>, with value: JSONValue) {
        replace(range, with: value.jsonBytes)
    }

    /// `text[range]` with the edits made, appended to `out`.
    public func apply(to text: [UInt8], range: Range<Int>? = nil, into out: inout [UInt8]) {
        let range = range ?? 0..<text.count
        var cursor = range.lowerBound
        func write(_ edit: Edit) {
            out.append(contentsOf: text[cursor..<edit.range.lowerBound])
            out.append(contentsOf: edit.bytes)
            cursor = edit.range.upperBound
        }
        if !more.isEmpty, let first, let second {
            ([first, second] + more).sorted { $0.range.lowerBound < $1.range.lowerBound }.forEach(write)
        } else if let first, let second, second.range.lowerBound < first.range.lowerBound {
            write(second)
            write(first)
        } else {
            first.map(write)
            second.map(write)
        }
        out.append(contentsOf: text[cursor..<range.upperBound])
    }
}

extension JSONParser {
    /// Moves past one value, checking it as ``value(depth:)`` does, without building it.
    mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard index < bytes.count else { throw error("unexpected end of the text") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try forEachMember(depth: depth) { (parser, _) throws(JSONSyntaxError) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try forEachElement(depth: depth) { (parser) throws(JSONSyntaxError) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    /// Moves past a number. Integers and decimals are only scanned (they cannot overflow a
    /// Double); one with an exponent is read, so that `1e999` is refused as ``number()`` does.
    mutating func skipNumber() throws(JSONSyntaxError) {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        let integer = index - digitsStart
        guard integer > 0 else { throw error("unexpected character") }
        if integer > 1, bytes[digitsStart] == UInt8(ascii: "0") { throw error("a number may not start with 0") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fraction = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > fraction else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index = start
            _ = try number()
        }
    }

    /// Moves past a string; plain ones are only scanned, escaped ones are checked by decoding.
    /// Returns whether the string had escapes.
    mutating func skipString() throws(JSONSyntaxError) -> Bool {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return false }
            if byte == UInt8(ascii: "\\") {
                index = start
                _ = try string()
                return true
            }
            guard byte >= 0x20 else { throw error("control character in a string") }
            index += 1
        }
        throw error("unexpected end inside a string")
    }
}

extension JSONParser {
    /// A member name as it appears in the text: its bytes between the quotes, or the decoded
    /// name when it has escapes.
    struct Key {
        let raw: Range<Int>
        let decoded: String?
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Walks the object that `range` of `bytes` holds (whitespace around it allowed, nothing
    /// else); returns the object's range, braces included.
    static func forEachMember(ofObjectIn bytes: [UInt8], range: Range<Int>,
                              _ body: (inout JSONParser, Key) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) -> Range<Int> {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> Range<Int> in
            var parser = JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
            parser.index = range.lowerBound
            parser.skipWhitespace()
            let start = parser.index
            try parser.forEachMember(depth: 0, body)
            let end = parser.index
            parser.skipWhitespace()
            guard parser.index == range.upperBound else { throw parser.error("unexpected text after the JSON value") }
            return start..<end
        }
    }

    /// Walks the object at the current index; `body` is called at each member's value and must
    /// move past it.
    mutating func forEachMember(depth: Int, _ body: (inout JSONParser, Key) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard peek == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let start = index
            let escaped = try skipString()
            let raw = start + 1..<index - 1
            var decoded: String?
            if escaped {
                index = start
                decoded = try string()
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            try body(&self, Key(raw: raw, decoded: decoded))
            skipWhitespace()
            guard let next = peek else { throw error("unexpected end inside an object") }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { return }
            index -= 1
            throw error("expected ',' or '}' in an object")
        }
    }

    /// Walks the array at the current index; `body` is called at each element and must move past it.
    mutating func forEachElement(depth: Int, _ body: (inout JSONParser) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        guard depth < JSONValue.maximumDepth else { throw error("nested deeper than \(JSONValue.maximumDepth) levels") }
        guard peek == UInt8(ascii: "[") else { throw error("expected an array") }
        index += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard let next = peek else { throw error("unexpected end inside an array") }
            index += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return }
            index -= 1
            throw error("expected ',' or ']' in an array")
        }
    }
}
