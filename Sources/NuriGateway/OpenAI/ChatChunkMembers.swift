import Foundation

/// The members of one streamed chat chunk (`chat.completion.chunk`) that the relay reads or
/// rewrites, found in one pass over its text, which is checked as JSON on the way.
///
/// ``JSONMembers`` would find them too, one object at a time: a pass over the chunk, another over
/// `choices`, one more over the first choice and its `delta`, with a string per member name and
/// an array per object. The relay reads every chunk of every stream, so this one pass with no
/// allocation is what it uses. A member that repeats counts by its last occurrence, as there.
public struct ChatChunkMembers: Sendable, Equatable {
    /// The chunk's text, braces included.
    public private(set) var range: Range<Int> = 0..<0
    public private(set) var id: Range<Int>?
    public private(set) var model: Range<Int>?
    /// `usage`, whatever kind of value it is.
    public private(set) var usage: Range<Int>?
    /// How many choices the chunk has; nil without a `choices` member.
    public private(set) var choiceCount: Int?
    /// The first choice's `delta`, when the choice and its delta are objects.
    public private(set) var delta: Range<Int>?
    /// The first choice's `finish_reason`, when that choice is an object.
    public private(set) var finishReason: Range<Int>?
    /// The delta's `content`, whatever kind of value it is.
    public private(set) var content: Range<Int>?
    /// The first choice, when it is an object.
    public private(set) var choice: Range<Int>?
    /// The first choice's `logprobs`, whatever kind of value it is.
    public private(set) var logprobs: Range<Int>?
    /// Whether the delta has no member at all.
    public private(set) var deltaIsEmpty = true

    private init() {}

    /// The chunk whose text is `range` of `bytes` (whitespace around it allowed). A `choices`
    /// that is not an array makes the text unreadable as a chunk, as invalid JSON does.
    public init(_ bytes: [UInt8], range: Range<Int>) throws(JSONSyntaxError) {
        var found = ChatChunkMembers()
        found.range = try JSONParser.forEachMember(ofObjectIn: bytes, range: range) { (parser, key) throws(JSONSyntaxError) in
            let value = parser.index
            if parser.matches(key, "choices") {
                found.forgetChoices()
                var count = 0
                try parser.forEachElement(depth: 1) { (parser) throws(JSONSyntaxError) in
                    count += 1
                    if count == 1, parser.peek == UInt8(ascii: "{") {
                        let start = parser.index
                        try found.readFirstChoice(&parser)
                        found.choice = start..<parser.index
                    } else {
                        try parser.skipValue(depth: 2)
                    }
                }
                found.choiceCount = count
                return
            }
            try parser.skipValue(depth: 1)
            if parser.matches(key, "model") {
                found.model = value..<parser.index
            } else if parser.matches(key, "id") {
                found.id = value..<parser.index
            } else if parser.matches(key, "usage") {
                found.usage = value..<parser.index
            }
        }
        self = found
    }

    /// A later `choices` replaces what an earlier one said.
    private mutating func forgetChoices() {
        delta = nil
        finishReason = nil
        content = nil
        choice = nil
        logprobs = nil
        deltaIsEmpty = true
    }

    private mutating func readFirstChoice(_ parser: inout JSONParser) throws(JSONSyntaxError) {
        try parser.forEachMember(depth: 2) { (parser, key) throws(JSONSyntaxError) in
            let value = parser.index
            if parser.matches(key, "delta") {
                content = nil
                deltaIsEmpty = true
                guard parser.peek == UInt8(ascii: "{") else {
                    delta = nil
                    try parser.skipValue(depth: 3)
                    return
                }
                try parser.forEachMember(depth: 3) { (parser, key) throws(JSONSyntaxError) in
                    deltaIsEmpty = false
                    let value = parser.index
                    try parser.skipValue(depth: 4)
                    if parser.matches(key, "content") { content = value..<parser.index }
                }
                delta = value..<parser.index
                return
            }
            try parser.skipValue(depth: 3)
            if parser.matches(key, "finish_reason") {
                finishReason = value..<parser.index
            } else if parser.matches(key, "logprobs") {
                logprobs = value..<parser.index
            }
        }
    }
}

extension JSONParser {
    /// Whether `key` is `name` (ASCII).
    func matches(_ key: Key, _ name: StaticString) -> Bool {
        if let decoded = key.decoded {
            return decoded.utf8.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        guard key.raw.count == name.utf8CodeUnitCount else { return false }
        var offset = 0
        for index in key.raw {
            guard bytes[index] == name.utf8Start[offset] else { return false }
            offset += 1
        }
        return true
    }
}

extension ChatChunkMembers {
    /// These members in a text that differs from theirs only in the content string: every
    /// position before the string's end moved by `offset`, the rest by `offset + growth`.
    fileprivate func moved(by offset: Int, growth: Int, after contentEnd: Int) -> ChatChunkMembers {
        func position(_ index: Int) -> Int { index < contentEnd ? index + offset : index + offset + growth }
        func range(_ range: Range<Int>?) -> Range<Int>? { range.map { position($0.lowerBound)..<position($0.upperBound) } }
        var moved = self
        moved.range = self.range.lowerBound + offset..<position(self.range.upperBound)
        moved.id = range(id)
        moved.model = range(model)
        moved.usage = range(usage)
        moved.delta = range(delta)
        moved.finishReason = range(finishReason)
        moved.content = range(content)
        moved.choice = range(choice)
        moved.logprobs = range(logprobs)
        return moved
    }
}

/// Reads the chunks of one stream. They mostly differ only in their `delta.content` text: a
/// chunk whose bytes before and after that string are those of the last chunk read in full
/// (its template) has the template's members, moved by the string's new length, and only the
/// new string is checked. Anything else is read in full (and may become the template). The
/// result is always what ``ChatChunkMembers/init(_:range:)`` gives for the same text.
public struct ChatChunkReader: Sendable {
    /// The last chunk read in full that had a content string, and its members (from 0).
    private var template: [UInt8] = []
    private var members: ChatChunkMembers?
    /// How many chunks were read from the template.
    public private(set) var reused = 0

    public init() {}

    public mutating func read(_ bytes: [UInt8], range: Range<Int>) throws(JSONSyntaxError) -> ChatChunkMembers {
        if let members, let found = reuse(members, bytes, range) {
            reused += 1
            return found
        }
        let found = try ChatChunkMembers(bytes, range: range)
        if let content = found.content, bytes[content.lowerBound] == UInt8(ascii: "\"") {
            template = Array(bytes[range])
            members = found.moved(by: -range.lowerBound, growth: 0, after: .max)
        }
        return found
    }

    /// The template's members for the text at `range`, if it is the template with another string.
    private func reuse(_ members: ChatChunkMembers, _ bytes: [UInt8], _ range: Range<Int>) -> ChatChunkMembers? {
        guard let content = members.content else { return nil }
        let start = content.lowerBound, tail = template.count - content.upperBound
        guard range.count >= start + 2 + tail else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> ChatChunkMembers? in
            template.withUnsafeBufferPointer { template -> ChatChunkMembers? in
                guard let base = buffer.baseAddress, let model = template.baseAddress,
                      memcmp(base + range.lowerBound, model, start) == 0 else { return nil }
                // The new string: checked as the full reading checks it.
                var parser = JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
                parser.index = range.lowerBound + start
                guard parser.peek == UInt8(ascii: "\""), (try? parser.skipString()) != nil,
                      range.upperBound - parser.index == tail,
                      memcmp(base + parser.index, model + content.upperBound, tail) == 0 else { return nil }
                let end = parser.index - range.lowerBound
                return members.moved(by: range.lowerBound, growth: end - content.upperBound, after: content.upperBound)
            }
        }
    }
}
