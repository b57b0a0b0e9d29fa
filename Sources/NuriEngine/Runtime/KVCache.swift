#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys and values of one sequence, for every layer, as half floats (as llama.cpp's default
/// f16 cache stores them), in blocks of ``blockPositions`` positions allocated as the sequence
/// grows: memory follows the tokens held, not the context limit, so many sequences can share a
/// batch. Shrinking (``truncate(to:)``) gives blocks back. Blocks are mapped pages of their own
/// (not the allocator's heap, which keeps freed blocks of this size), so a finished sequence's
/// memory returns to the system.
///
/// Layout of a block: keys `[layer, blockPositions, kvHeads × headSize]`, then values the same.
/// Appending past ``capacity`` is an error the caller reports (``EngineError/contextFull(limit:needed:)``).
public final class KVCache: @unchecked Sendable {
    // @unchecked: a cache belongs to one sequence and is used by one forward pass at a time.

    /// Positions per block (a power of two).
    public static let blockPositions = 64
    static let blockShift = 6

    /// Positions the cache can hold (the sequence's context limit).
    public let capacity: Int
    /// Positions filled so far.
    public internal(set) var count = 0

    let layers: Int
    /// Values per position per layer: kvHeads × headSize.
    let width: Int
    /// Half floats in a block's keys (the values follow them).
    private let blockHalfKeys: Int
    private(set) var blocks: [UnsafeMutablePointer<Float16>] = []

    public init(config: ModelConfig, capacity: Int) {
        self.capacity = capacity
        layers = config.layerCount
        width = config.kvHeadCount * config.headSize
        blockHalfKeys = layers * Self.blockPositions * width
    }

    deinit {
        for block in blocks { Self.release(block, halves: 2 * blockHalfKeys) }
    }

    private static func map(halves: Int) -> UnsafeMutablePointer<Float16> {
        let bytes = halves * MemoryLayout<Float16>.size
        guard let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), address != MAP_FAILED else {
            // The allocator would fail the same way: out of memory is not recoverable here.
            fatalError("cannot map \(bytes) bytes for a KV cache block: out of memory")
        }
        return address.assumingMemoryBound(to: Float16.self)
    }

    private static func release(_ block: UnsafeMutablePointer<Float16>, halves: Int) {
        munmap(UnsafeMutableRawPointer(block), halves * MemoryLayout<Float16>.size)
    }

    /// Positions the allocated blocks hold.
    public var allocatedPositions: Int { blocks.count * Self.blockPositions }

    /// Bytes the allocated blocks take.
    public var allocatedBytes: Int { blocks.count * blockHalfKeys * 2 * MemoryLayout<Float16>.size }

    /// Makes room for `positions` positions (at most ``capacity``).
    func reserve(_ positions: Int) {
        let needed = (min(positions, capacity) + Self.blockPositions - 1) >> Self.blockShift
        while blocks.count < needed { blocks.append(Self.map(halves: 2 * blockHalfKeys)) }
    }

    /// Forgets everything after the first `count` positions (to reuse a shared prefix) and frees
    /// the blocks no longer needed.
    public func truncate(to count: Int) {
        self.count = max(0, min(count, self.count))
        let needed = (self.count + Self.blockPositions - 1) >> Self.blockShift
        while blocks.count > needed { Self.release(blocks.removeLast(), halves: 2 * blockHalfKeys) }
    }

    /// Keys of `position` in `layer` (the block must be reserved).
    @inline(__always)
    func keys(layer: Int, position: Int) -> UnsafeMutablePointer<Float16> {
        blocks[position >> Self.blockShift] + ((layer << Self.blockShift) + (position & (Self.blockPositions - 1))) * width
    }

    @inline(__always)
    func values(layer: Int, position: Int) -> UnsafeMutablePointer<Float16> {
        keys(layer: layer, position: position) + blockHalfKeys
    }

    /// The keys of positions `block × blockPositions …` in `layer`, consecutive with stride ``width``.
    @inline(__always)
    func blockKeys(_ block: Int, layer: Int) -> UnsafeMutablePointer<Float16> {
        blocks[block] + (layer << Self.blockShift) * width
    }

    @inline(__always)
    func blockValues(_ block: Int, layer: Int) -> UnsafeMutablePointer<Float16> {
        blockKeys(block, layer: layer) + blockHalfKeys
    }
}
