/// A hash table from byte strings to dense ids 0, 1, 2… in insertion order: the vocabulary's
/// text-to-id map, looked up with slices of a buffer so that tokenizing allocates no strings.
///
/// Keys live end to end in one byte array; the table is open addressing with linear probing.
struct TokenIndex: Sendable {
    private var bytes: [UInt8] = []
    /// Key `i` is `bytes[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]
    private var hashes: [UInt32] = []
    /// Key index + 1 in each slot; 0 is empty.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        hashes.reserveCapacity(capacity)
        starts.reserveCapacity(capacity + 1)
    }

    /// How many keys there are.
    var count: Int { starts.count - 1 }

    /// The bytes of key `id`.
    func key(_ id: Int) -> ArraySlice<UInt8> { bytes[starts[id]..<starts[id + 1]] }

    /// The id of `key`, or -1.
    func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(key)
        var slot = Int(hash) & mask
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return -1 }
                let id = entry - 1
                if hashes[id] == hash {
                    let start = starts[id], length = starts[id + 1] - start
                    if length == key.count && bytesEqual(stored, start, key, length) {
                        return Int32(id)
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The id of `key`, or -1.
    func find(_ key: some Collection<UInt8>) -> Int32 {
        let array = Array(key)
        return array.withUnsafeBufferPointer { find($0) }
    }

    /// The id of `key`, adding it if new; `inserted` says which.
    @discardableResult
    mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> (id: Int32, inserted: Bool) {
        let existing = find(key)
        if existing >= 0 { return (existing, false) }
        if (count + 1) * 2 > slots.count { grow() }
        let id = count
        let hash = Self.hash(key)
        bytes.append(contentsOf: key)
        starts.append(bytes.count)
        hashes.append(hash)
        place(id: id, hash: hash)
        return (Int32(id), true)
    }

    /// The id of `key`, adding it if new.
    @discardableResult
    mutating func intern(_ key: some Collection<UInt8>) -> (id: Int32, inserted: Bool) {
        let array = Array(key)
        return array.withUnsafeBufferPointer { intern($0) }
    }

    private mutating func place(id: Int, hash: UInt32) {
        var slot = Int(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(id + 1)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for id in 0..<count { place(id: id, hash: hashes[id]) }
    }

    /// FNV-1a, 32 bits: keys are short, and this is simple and spreads well enough.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in key {
            hash = (hash ^ UInt32(byte)) &* 0x0100_0193
        }
        return hash
    }
}

/// Whether `a[offset..<offset + count]` equals `b[0..<count]`.
@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ offset: Int, _ b: UnsafeBufferPointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        if a[offset + index] != b[index] { return false }
        index += 1
    }
    return true
}
