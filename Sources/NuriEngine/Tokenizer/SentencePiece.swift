/// SentencePiece-style BPE, llama.cpp's `llama` tokenizer model: spaces become `▁` (U+2581),
/// the text is split into UTF-8 characters, and the adjacent pair whose concatenation is the
/// best-scoring token is merged first, until no pair is a token. What is left and is not a
/// token falls back to its bytes as `<0xXX>` tokens.
struct SentencePiece: Sendable {
    let vocabulary: TokenIndex
    let vocabularySize: Int
    /// Merge priority of each token, from its score.
    let priorities: [Int64]
    /// The token for each byte: `<0xXX>`, else the byte as a one-character token, else the
    /// unknown token, else -1 (dropped). llama.cpp would abort without the first two; this
    /// engine emits the unknown token instead.
    let byteTokens: [Int32]

    init(vocabulary: TokenIndex, scores: [Float], unknownID: Int32?) {
        self.vocabulary = vocabulary
        vocabularySize = vocabulary.count
        priorities = scores.prefix(vocabulary.count).map(BigramQueue.priority(forScore:))
        byteTokens = (0..<256).map { byte in
            let hex = Array("<0x".utf8) + [hexDigit(UInt8(byte >> 4), uppercase: true), hexDigit(UInt8(byte & 15), uppercase: true), UInt8(ascii: ">")]
            let named = vocabulary.find(hex)
            if named >= 0 { return named }
            let single = vocabulary.find([UInt8(byte)])
            if single >= 0 { return single }
            return unknownID ?? -1
        }
    }

    /// Reusable buffers for ``encode(_:spacePrefix:into:scratch:)``.
    struct Scratch {
        var text: [UInt8] = []
        var start: [Int] = []
        var length: [Int] = []
        var previous: [Int] = []
        var next: [Int] = []
        var queue = BigramQueue()
    }

    /// Appends the tokens of one text fragment (bytes between special tokens).
    func encode(_ fragment: UnsafeBufferPointer<UInt8>, spacePrefix: Bool, into output: inout [Int32], scratch: inout Scratch) {
        // Escape spaces as ▁ (E2 96 81), with the optional leading one.
        scratch.text.removeAll(keepingCapacity: true)
        if spacePrefix { scratch.text.append(contentsOf: [0xE2, 0x96, 0x81]) }
        for byte in fragment {
            if byte == 0x20 { scratch.text.append(contentsOf: [0xE2, 0x96, 0x81]) } else { scratch.text.append(byte) }
        }
        let total = scratch.text.count
        guard total > 0 else { return }

        // One symbol per UTF-8 character, by the length its lead byte announces.
        scratch.start.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        var offset = 0
        while offset < total {
            let length = min(CodepointDecoding.sequenceLength(lead: scratch.text[offset]), total - offset)
            scratch.start.append(offset)
            scratch.length.append(length)
            offset += length
        }
        let symbolCount = scratch.start.count
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for index in 0..<symbolCount {
            scratch.previous.append(index - 1)
            scratch.next.append(index + 1 < symbolCount ? index + 1 : -1)
        }
        scratch.queue.removeAll()

        scratch.text.withUnsafeBufferPointer { text in
            func addBigram(_ left: Int, _ right: Int, _ scratch: inout Scratch) {
                guard left >= 0, right >= 0 else { return }
                let start = scratch.start[left]
                let size = scratch.length[left] + scratch.length[right]
                let token = vocabulary.find(UnsafeBufferPointer(rebasing: text[start..<start + size]))
                guard token >= 0, Int(token) < priorities.count else { return }
                scratch.queue.push(Bigram(priority: priorities[Int(token)], left: left, right: right, size: size, merged: token))
            }

            for index in 1..<max(symbolCount, 1) {
                addBigram(index - 1, index, &scratch)
            }
            while let bigram = scratch.queue.pop() {
                let left = bigram.left, right = bigram.right
                let leftLength = scratch.length[left], rightLength = scratch.length[right]
                // Stale: a side was merged away or grew since the pair was queued.
                if leftLength == 0 || rightLength == 0 || leftLength + rightLength != bigram.size { continue }
                scratch.length[left] = bigram.size
                scratch.length[right] = 0
                let after = scratch.next[right]
                scratch.next[left] = after
                if after >= 0 { scratch.previous[after] = left }
                addBigram(scratch.previous[left], left, &scratch)
                addBigram(left, after, &scratch)
            }

            // Every merged symbol is a token; a single character may not be: its bytes then.
            var index = 0
            while index >= 0 {
                let start = scratch.start[index], length = scratch.length[index]
                let token = vocabulary.find(UnsafeBufferPointer(rebasing: text[start..<start + length]))
                if token >= 0 {
                    output.append(token)
                } else {
                    for offset in start..<start + length {
                        let byteToken = byteTokens[Int(text[offset])]
                        if byteToken >= 0 { output.append(byteToken) }
                    }
                }
                index = scratch.next[index]
            }
        }
    }
}
