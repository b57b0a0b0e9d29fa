/// Byte-level BPE, llama.cpp's `gpt2` tokenizer model: each word from the pre-tokenizer is
/// written in GPT-2's byte characters (see ``ByteLevelEncoding``), split into one symbol per
/// byte, and adjacent symbols are merged best rank first until no merge rule applies.
///
/// Symbols are tracked as interned piece ids rather than strings: every string a merge rule
/// mentions gets an id (vocabulary tokens keep theirs), so looking up a rule is one hash of
/// two integers and merging allocates nothing.
struct ByteLevelBPE: Sendable {
    /// Vocabulary size: piece ids below it are token ids.
    let vocabularySize: Int
    /// Vocabulary texts, then the other strings that merge rules mention.
    let pieces: TokenIndex
    let merges: MergeTable
    /// The piece id of each byte's one-character string, or -1 if no token or rule has it.
    let pieceForByte: [Int32]
    /// The token whose text is the single byte `b` (used when a merged symbol is not a token).
    let tokenForSingleByte: [Int32]
    /// A word that is a token as a whole is not merged (llama.cpp's `ignore_merges`).
    let ignoreMerges: Bool

    init(vocabulary: TokenIndex, merges rules: [String], ignoreMerges: Bool) throws(TokenizerError) {
        vocabularySize = vocabulary.count
        self.ignoreMerges = ignoreMerges
        var pieces = vocabulary
        var merges = MergeTable(capacity: rules.count)
        for (rank, rule) in rules.enumerated() {
            let bytes = Array(rule.utf8)
            // The separator is the first space after the first byte, so a rule may merge a
            // piece that starts with a space (llama.cpp splits the same way).
            guard let space = bytes.indices.dropFirst().first(where: { bytes[$0] == 0x20 }) else {
                throw .malformedMerge(index: rank, text: rule)
            }
            let left = pieces.intern(bytes[..<space]).id
            let right = pieces.intern(bytes[(space + 1)...]).id
            var joined = Array(bytes[..<space])
            joined.append(contentsOf: bytes[(space + 1)...])
            let merged = pieces.intern(joined).id
            // The first rule for a pair wins, as llama.cpp's map keeps the first one inserted.
            merges.insertIfAbsent(left: left, right: right, rank: Int32(rank), merged: merged)
        }
        self.pieces = pieces
        self.merges = merges
        pieceForByte = (0..<256).map { byte in
            var utf8: [UInt8] = []
            CodepointDecoding.appendUTF8(ByteLevelEncoding.scalarForByte[byte], to: &utf8)
            return pieces.find(utf8)
        }
        tokenForSingleByte = (0..<256).map { byte in
            let id = vocabulary.find([UInt8(byte)])
            return id < vocabulary.count ? id : -1
        }
    }

    /// Reusable buffers for ``encode(word:into:scratch:)``.
    struct Scratch {
        var encoded: [UInt8] = []
        var start: [Int] = []
        var length: [Int] = []
        var piece: [Int32] = []
        var previous: [Int] = []
        var next: [Int] = []
        var queue = BigramQueue()
    }

    /// Appends the tokens of one word (code points, as the pre-tokenizer cut them).
    func encode(word: UnsafeBufferPointer<UInt32>, into output: inout [Int32], scratch: inout Scratch) {
        // The word in GPT-2 byte characters, one symbol per original byte.
        scratch.encoded.removeAll(keepingCapacity: true)
        scratch.start.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        scratch.piece.removeAll(keepingCapacity: true)
        for codepoint in word {
            CodepointDecoding.forEachUTF8Byte(of: codepoint) { byte in
                let packed = ByteLevelEncoding.utf8ForByte[Int(byte)]
                let count = Int(packed >> 24)
                scratch.start.append(scratch.encoded.count)
                scratch.length.append(count)
                scratch.piece.append(pieceForByte[Int(byte)])
                scratch.encoded.append(UInt8(truncatingIfNeeded: packed))
                if count == 2 { scratch.encoded.append(UInt8(truncatingIfNeeded: packed >> 8)) }
            }
        }
        let symbolCount = scratch.start.count
        guard symbolCount > 0 else { return }

        if ignoreMerges {
            let id = scratch.encoded.withUnsafeBufferPointer { pieces.find($0) }
            if id >= 0 && id < vocabularySize {
                output.append(id)
                return
            }
        }

        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for index in 0..<symbolCount {
            scratch.previous.append(index - 1)
            scratch.next.append(index + 1 < symbolCount ? index + 1 : -1)
        }
        scratch.queue.removeAll()

        func addBigram(_ left: Int, _ right: Int, _ scratch: inout Scratch) {
            guard left >= 0, right >= 0 else { return }
            let leftPiece = scratch.piece[left], rightPiece = scratch.piece[right]
            guard leftPiece >= 0, rightPiece >= 0, let rule = merges.find(left: leftPiece, right: rightPiece) else { return }
            let size = scratch.length[left] + scratch.length[right]
            scratch.queue.push(Bigram(priority: Int64(rule.rank), left: left, right: right, size: size, merged: rule.merged))
        }

        for index in 1..<max(symbolCount, 1) {
            addBigram(index - 1, index, &scratch)
        }
        while let bigram = scratch.queue.pop() {
            let left = bigram.left, right = bigram.right
            let leftLength = scratch.length[left], rightLength = scratch.length[right]
            // Stale: one side was merged away or grew since the pair was queued. (Symbols only
            // grow, so unchanged lengths mean unchanged texts.)
            if leftLength == 0 || rightLength == 0 || leftLength + rightLength != bigram.size { continue }
            scratch.length[left] = bigram.size
            scratch.length[right] = 0
            scratch.piece[left] = bigram.merged
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.previous[after] = left }
            addBigram(scratch.previous[left], left, &scratch)
            addBigram(left, after, &scratch)
        }

        for index in 0..<symbolCount where scratch.length[index] > 0 {
            let piece = scratch.piece[index]
            if piece >= 0 && Int(piece) < vocabularySize {
                output.append(piece)
            } else {
                // Not a token (a merge rule produced a string the vocabulary lacks): llama.cpp
                // falls back to the tokens of its single bytes, skipping bytes without one.
                let start = scratch.start[index]
                for offset in start..<start + scratch.length[index] {
                    let token = tokenForSingleByte[Int(scratch.encoded[offset])]
                    if token >= 0 { output.append(token) }
                }
            }
        }
    }
}

/// Merge rules by the piece ids of their two sides: open addressing over 64-bit keys.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    /// `rank << 32 | merged`, or `UInt64.max` for an empty slot.
    private var values: [UInt64]
    private var mask: Int
    private var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: .max, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    func find(left: Int32, right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = Self.key(left, right)
        var index = slot(for: key)
        while values[index] != .max {
            if keys[index] == key {
                let value = values[index]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
            }
            index = (index + 1) & mask
        }
        return nil
    }

    mutating func insertIfAbsent(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(left, right)
        var index = slot(for: key)
        while values[index] != .max {
            if keys[index] == key { return }
            index = (index + 1) & mask
        }
        keys[index] = key
        values[index] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        count += 1
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let size = keys.count * 2
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: .max, count: size)
        mask = size - 1
        for index in oldKeys.indices where oldValues[index] != .max {
            var slot = slot(for: oldKeys[index])
            while values[slot] != .max { slot = (slot + 1) & mask }
            keys[slot] = oldKeys[index]
            values[slot] = oldValues[index]
        }
    }
}
