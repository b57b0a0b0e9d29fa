/// The rows of one forward pass: row `r` is a token at `positions[r]` of the sequence whose
/// cache is `cache(r)`. One sequence's prompt gives consecutive rows of one cache; a decoding
/// step of a continuous batch gives one row per sequence. Matrix products treat rows alike;
/// RoPE, the cache writes and attention read each row's own position and cache.
struct Rows: @unchecked Sendable {
    // @unchecked: the buffers belong to the workspace and are read-only during a pass.
    let count: Int
    let positions: UnsafePointer<Int>
    let owners: UnsafePointer<Int>
    let caches: [KVCache]

    @inline(__always)
    func cache(_ row: Int) -> KVCache { caches[owners[row]] }

    /// Rows of the same sequence in the run of consecutive rows that holds `row`.
    func runLength(containing row: Int) -> Int {
        var start = row, end = row + 1
        while start > 0 && owners[start - 1] == owners[row] { start -= 1 }
        while end < count && owners[end] == owners[row] { end += 1 }
        return end - start
    }

    /// Whether some run of one sequence's rows is shorter than `length`.
    func hasShortRuns(_ length: Int) -> Bool {
        var start = 0
        while start < count {
            var end = start + 1
            while end < count && owners[end] == owners[start] { end += 1 }
            if end - start < length { return true }
            start = end
        }
        return false
    }
}
