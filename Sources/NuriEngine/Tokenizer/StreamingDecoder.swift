/// Decodes token ids one at a time, as a model generates them, yielding text as soon as it is
/// complete.
///
/// A token can end in the middle of a UTF-8 character (byte-level BPE spells a Korean syllable
/// with two or three byte tokens), so the decoder holds back an incomplete trailing sequence
/// until the bytes that complete it arrive. It also holds the few bytes that llama.cpp's space
/// cleaning may still change. The concatenation of everything ``append(_:)`` and ``finish()``
/// return is exactly ``Tokenizer/decode(_:removeSpecial:renderSpecial:)`` of the same ids with
/// the same `renderSpecial` (and `removeSpecial` false: a stream cannot know which token is last).
///
/// ```swift
/// var decoder = StreamingDecoder(tokenizer: tokenizer)
/// for id in generated { print(decoder.append(id), terminator: "") }
/// print(decoder.finish())
/// ```
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private let renderSpecial: Bool
    /// The next token's leading space is dropped (the first token of a vocabulary that adds a
    /// space prefix).
    private var stripsLeadingSpace: Bool
    private var cleaner: SpaceCleaner?
    /// Decoded bytes not returned yet: an incomplete UTF-8 sequence at the end.
    private var pending: [UInt8] = []

    /// A decoder for ids from `tokenizer`.
    /// - Parameter renderSpecial: show control tokens as their text (see
    ///   ``Tokenizer/decode(_:removeSpecial:renderSpecial:)``).
    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.init(tokenizer: tokenizer, renderSpecial: renderSpecial, stripsLeadingSpace: tokenizer.addsSpacePrefix)
    }

    init(tokenizer: Tokenizer, renderSpecial: Bool, stripsLeadingSpace: Bool) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
        self.stripsLeadingSpace = stripsLeadingSpace
        cleaner = tokenizer.cleanSpaces ? SpaceCleaner() : nil
    }

    /// Adds one token; returns the text it completes (often all of its text, sometimes nothing).
    public mutating func append(_ id: Int32) -> String {
        var bytes: [UInt8] = []
        swap(&bytes, &pending)  // the buffer moves out while `self` decodes into it
        appendBytes(of: id, into: &bytes)
        let complete = Self.completePrefixLength(bytes)
        let text = complete > 0 ? String(decoding: bytes[..<complete], as: UTF8.self) : ""
        bytes.removeFirst(complete)
        pending = bytes
        return text
    }

    /// Ends the stream and returns what was held back; a character left incomplete becomes
    /// U+FFFD. The decoder can then start a new stream.
    public mutating func finish() -> String {
        var bytes: [UInt8] = []
        swap(&bytes, &pending)
        finishBytes(into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        stripsLeadingSpace = tokenizer.addsSpacePrefix
        return text
    }

    /// Appends the decoded bytes of one token, after the leading-space rule and space cleaning.
    mutating func appendBytes(of id: Int32, into output: inout [UInt8]) {
        var piece = tokenizer.pieceSlice(id, renderSpecial: renderSpecial)
        if stripsLeadingSpace {
            // llama.cpp strips the space of the first token only, whatever that token is.
            stripsLeadingSpace = false
            if piece.first == 0x20 { piece = piece.dropFirst() }
        }
        if cleaner != nil {
            for byte in piece { cleaner?.push(byte, into: &output) }
        } else {
            output.append(contentsOf: piece)
        }
    }

    /// Flushes the bytes space cleaning held back.
    mutating func finishBytes(into output: inout [UInt8]) {
        cleaner?.finish(into: &output)
    }

    /// How many leading bytes of `bytes` can be decoded now: all but a trailing sequence that
    /// is a valid start of a UTF-8 character still missing bytes. Cutting right before a lead
    /// byte never changes how either side decodes, so streamed text equals decoding at once.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        var lead = count - 1
        var continuations = 0
        while lead >= 0 && continuations < 3 && bytes[lead] & 0xC0 == 0x80 {
            lead -= 1
            continuations += 1
        }
        guard lead >= 0 else { return count }
        let first = bytes[lead]
        let needed: Int
        switch first {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: return count  // ASCII, or a byte that is an error whatever follows
        }
        let have = count - lead
        guard have < needed else { return count }
        if have >= 2 {
            // The second byte's range depends on the lead (no overlongs, surrogates or values
            // past U+10FFFF); outside it the sequence is already an error.
            let second = bytes[lead + 1]
            let valid: ClosedRange<UInt8> = switch first {
            case 0xE0: 0xA0...0xBF
            case 0xED: 0x80...0x9F
            case 0xF0: 0x90...0xBF
            case 0xF4: 0x80...0x8F
            default: 0x80...0xBF
            }
            guard valid.contains(second) else { return count }
        }
        return lead
    }
}
