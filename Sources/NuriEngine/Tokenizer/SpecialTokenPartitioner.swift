/// Cuts text at special tokens before the tokenizer proper sees it, as llama.cpp does.
///
/// llama.cpp tries the special tokens (control, user-defined and unknown tokens) longest first,
/// and each one claims all of its leftmost non-overlapping occurrences in the text not claimed
/// yet. Control and unknown tokens take part only when the caller parses special tokens;
/// user-defined ones always do (as in Hugging Face tokenizers).
///
/// Rather than searching the text once per special token (Gemma 3 has over 6000), this finds
/// every occurrence of every special token with one pass through a trie, then lets them claim
/// text in llama.cpp's order: by token (longest first), then by position.
struct SpecialTokenPartitioner: Sendable {
    /// A piece of the text to tokenize: plain text (a byte range) or one special token.
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    /// The special tokens in the order they claim text: longest first, then by id. (llama.cpp
    /// sorts by length alone with an unstable sort; the order among equally long tokens only
    /// matters when two of them overlap in the text.)
    private let order: [Int32]
    private let lengths: [Int]
    /// Only when parsing special tokens: control and unknown tokens.
    private let needsParseSpecial: [Bool]
    private let stripsLeft: [Bool]
    private let stripsRight: [Bool]
    /// The trie: children of the root by byte, children of other nodes by `node << 8 | byte`,
    /// and the position in `order` of the token ending at each node (or -1).
    private let rootChildren: [Int32]
    private let children: [UInt64: Int32]
    private let terminal: [Int32]

    init(texts: [[UInt8]], attributes: [TokenAttributes]) {
        let special: TokenAttributes = [.control, .userDefined, .unknown]
        let ids = attributes.indices.filter { !attributes[$0].isDisjoint(with: special) && !texts[$0].isEmpty }
        let sorted = ids.sorted { (a: Int, b: Int) -> Bool in
            let lengthA = texts[a].count, lengthB = texts[b].count
            return lengthA != lengthB ? lengthA > lengthB : a < b
        }
        order = sorted.map { Int32($0) }
        lengths = sorted.map { texts[$0].count }
        needsParseSpecial = sorted.map { !attributes[$0].isDisjoint(with: [.control, .unknown]) }
        stripsLeft = sorted.map { attributes[$0].contains(.leftStrip) }
        stripsRight = sorted.map { attributes[$0].contains(.rightStrip) }

        var rootChildren = [Int32](repeating: -1, count: 256)
        var children: [UInt64: Int32] = [:]
        var terminal: [Int32] = [-1]  // node 0 is the root
        for (position, id) in sorted.enumerated() {
            var node: Int32 = 0
            for byte in texts[id] {
                let existing = node == 0 ? rootChildren[Int(byte)] : children[UInt64(node) << 8 | UInt64(byte), default: -1]
                if existing >= 0 {
                    node = existing
                } else {
                    let created = Int32(terminal.count)
                    terminal.append(-1)
                    if node == 0 { rootChildren[Int(byte)] = created } else { children[UInt64(node) << 8 | UInt64(byte)] = created }
                    node = created
                }
            }
            terminal[Int(node)] = Int32(position)
        }
        self.rootChildren = rootChildren
        self.children = children
        self.terminal = terminal
    }

    /// The fragments of `text` (UTF-8 bytes), in order. Whitespace next to a token that strips
    /// it is dropped.
    func partition(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        let count = text.count
        guard count > 0 else { return [] }
        guard !order.isEmpty else { return [.text(0..<count)] }

        // Every occurrence of every special token that may take part: (claim order, start).
        var candidates: [(rank: Int32, start: Int)] = []
        for start in 0..<count {
            var node = rootChildren[Int(text[start])]
            var next = start + 1
            while node >= 0 {
                let rank = terminal[Int(node)]
                if rank >= 0 && (parseSpecial || !needsParseSpecial[Int(rank)]) {
                    candidates.append((rank, start))
                }
                guard next < count else { break }
                node = children[UInt64(node) << 8 | UInt64(text[next]), default: -1]
                next += 1
            }
        }
        guard !candidates.isEmpty else { return [.text(0..<count)] }
        candidates.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.start < $1.start }

        // Claim in llama.cpp's order: an occurrence counts if none of its bytes is taken.
        var taken = [Bool](repeating: false, count: count)
        var claimedBy = [Int32](repeating: -1, count: count)
        for candidate in candidates {
            let rank = Int(candidate.rank), start = candidate.start
            let end = start + lengths[rank]
            if taken[start..<end].contains(true) { continue }
            for offset in start..<end { taken[offset] = true }
            claimedBy[start] = candidate.rank
            if stripsLeft[rank] {
                var offset = start - 1
                while offset >= 0 && !taken[offset] && Self.isSpace(text[offset]) { taken[offset] = true; offset -= 1 }
            }
            if stripsRight[rank] {
                var offset = end
                while offset < count && !taken[offset] && Self.isSpace(text[offset]) { taken[offset] = true; offset += 1 }
            }
        }

        var fragments: [Fragment] = []
        var offset = 0
        while offset < count {
            let rank = claimedBy[offset]
            if rank >= 0 {
                fragments.append(.token(order[Int(rank)]))
                offset += lengths[Int(rank)]
            } else if taken[offset] {
                offset += 1  // stripped whitespace
            } else {
                let start = offset
                while offset < count && !taken[offset] { offset += 1 }
                fragments.append(.text(start..<offset))
            }
        }
        return fragments
    }

    /// C's `isspace` in the C locale, which llama.cpp strips with.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
