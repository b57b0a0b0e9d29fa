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
}
