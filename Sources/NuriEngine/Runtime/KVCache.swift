/// The keys and values of one sequence, for every layer, as half floats (as llama.cpp's default
/// f16 cache stores them).
///
/// Layout per layer: `[capacity, kvHeads, headSize]` for keys and for values. Appending past
/// ``capacity`` is an error the caller reports (``EngineError/contextFull(limit:needed:)``).
public final class KVCache: @unchecked Sendable {
    // @unchecked: a cache belongs to one sequence and is used by one generation at a time.

    /// Positions the cache can hold.
    public let capacity: Int
    /// Positions filled so far.
    public internal(set) var count = 0

    let layers: Int
    /// Values per position per layer: kvHeads × headSize.
    let width: Int
    let keys: UnsafeMutablePointer<Float16>
    let values: UnsafeMutablePointer<Float16>

    public init(config: ModelConfig, capacity: Int) {
        self.capacity = capacity
        layers = config.layerCount
        width = config.kvHeadCount * config.headSize
        keys = .allocate(capacity: layers * capacity * width)
        values = .allocate(capacity: layers * capacity * width)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Forgets everything after the first `count` positions (to reuse a shared prefix).
    public func truncate(to count: Int) {
        self.count = max(0, min(count, self.count))
    }

    func keys(layer: Int, position: Int) -> UnsafeMutablePointer<Float16> {
        keys + (layer * capacity + position) * width
    }

    func values(layer: Int, position: Int) -> UnsafeMutablePointer<Float16> {
        values + (layer * capacity + position) * width
    }
}
