/// Reads little-endian values from a byte buffer, checking every read against its end.
///
/// GGUF headers come from files users download: nothing read here is trusted until checked, and
/// every failure names what was being read and where.
struct ByteCursor {
    let base: UnsafeRawBufferPointer
    /// Bytes from the start of the buffer.
    private(set) var offset: Int

    init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    var remaining: Int { base.count - offset }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(what: what(), offset: offset) }
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat(_ what: @autoclosure () -> String) throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self, what()))
    }

    mutating func readDouble(_ what: @autoclosure () -> String) throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self, what()))
    }

    /// A GGUF string: u64 length, then that many bytes of UTF-8 (invalid sequences are replaced).
    mutating func readString(_ what: @autoclosure () -> String) throws(GGUFError) -> String {
        let start = offset
        let length = try read(UInt64.self, "the length of \(what())")
        guard length <= UInt64(remaining) else { throw .truncated(what: what(), offset: start) }
        let count = Int(length)
        let bytes = UnsafeRawBufferPointer(rebasing: base[offset..<offset + count])
        offset += count
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A count that must be satisfiable by the bytes left, at `minimumItemSize` bytes per item,
    /// so that a corrupt count cannot make the reader allocate gigabytes.
    mutating func readCount(_ what: @autoclosure () -> String, minimumItemSize: Int) throws(GGUFError) -> Int {
        let start = offset
        let count = try read(UInt64.self, what())
        guard count <= UInt64(remaining / max(minimumItemSize, 1)) else {
            throw .implausibleCount(what: what(), count: count, offset: start)
        }
        return Int(count)
    }
}
