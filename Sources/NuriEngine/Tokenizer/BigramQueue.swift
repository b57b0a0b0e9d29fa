/// A candidate merge of two adjacent symbols, as both BPE variants queue them.
struct Bigram {
    /// Smaller is merged first: the rule's rank (byte-level BPE) or the ordered negated score
    /// (SentencePiece).
    var priority: Int64
    var left: Int
    var right: Int
    /// The byte length of the merged symbol, to tell stale entries (see the merge loops).
    var size: Int
    /// The piece the merge makes (byte-level BPE; unused by SentencePiece).
    var merged: Int32
}

/// A binary min-heap of ``Bigram``s by priority, then by left position: the order llama.cpp's
/// priority queues pop them in (lowest rank or best score first, leftmost among equals).
struct BigramQueue {
    private var heap: [Bigram] = []

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    @inline(__always)
    private static func precedes(_ a: Bigram, _ b: Bigram) -> Bool {
        a.priority < b.priority || (a.priority == b.priority && a.left < b.left)
    }

    mutating func push(_ bigram: Bigram) {
        heap.append(bigram)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Bigram? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < count && Self.precedes(heap[left], heap[best]) { best = left }
                if right < count && Self.precedes(heap[right], heap[best]) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }

    /// A priority that pops higher scores first: the score's bits mapped to an integer of the
    /// same order, negated. (Both zeros map alike, since they compare equal in llama.cpp.)
    static func priority(forScore score: Float) -> Int64 {
        let bits = score == 0 ? 0 : score.bitPattern
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return -Int64(ordered)
    }
}
