#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF model file, memory-mapped read-only and validated.
///
/// Layout (GGUF v2/v3, little-endian), as parsed below:
/// ```
/// "GGUF"  u32 version  u64 tensor_count  u64 kv_count
/// kv_count × { string key, u32 value_type, value }          value_type 9 = array: u32 elem_type, u64 n, n × elem
/// tensor_count × { string name, u32 n_dims, n_dims × u64 ne, u32 ggml_type, u64 offset }
/// padding to `general.alignment` (default 32)
/// tensor data; each tensor at data_start + offset, offset a multiple of the alignment
/// ```
/// Strings are a u64 length and UTF-8 bytes. Every count, length, offset and size is checked
/// against the file before use, so a truncated or corrupt file gets a ``GGUFError`` naming the
/// key, tensor or offset, never a crash.
public final class GGUFFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives as long as the object; nothing mutates.

    public let path: String
    public let version: UInt32
    /// Metadata, by key.
    public let metadata: [String: GGUFValue]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// Byte alignment of tensor data.
    public let alignment: Int
    /// File size in bytes.
    public let size: Int

    private let tensorIndex: [String: Int]
    private let mapping: UnsafeRawBufferPointer

    /// Opens and validates a GGUF file.
    public convenience init(path: String) throws(GGUFError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(status.st_size)
        guard size > 0 else { throw .truncated(what: "the header", offset: 0) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw .io(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let mapping = UnsafeRawBufferPointer(start: address, count: size)
        do {
            try self.init(path: path, mapping: mapping, ownsMapping: true)
        } catch {
            munmap(address, size)
            throw error
        }
    }

    /// Parses a GGUF image already in memory (the bytes must outlive the object). For tests.
    public convenience init(bytes: UnsafeRawBufferPointer) throws(GGUFError) {
        try self.init(path: "<memory>", mapping: bytes, ownsMapping: false)
    }

    private let ownsMapping: Bool

    private init(path: String, mapping: UnsafeRawBufferPointer, ownsMapping: Bool) throws(GGUFError) {
        var cursor = ByteCursor(mapping)
        let magic = Array(mapping.prefix(4))
        guard magic == Array("GGUF".utf8) else { throw .notGGUF(found: magic) }
        _ = try cursor.read(UInt32.self, "the magic")
        let version = try cursor.read(UInt32.self, "the version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        // A tensor info takes at least 8+4+8+4+8 bytes; a key-value at least 8+4+1.
        let tensorCount = try cursor.readCount("the tensor count", minimumItemSize: 32)
        let keyCount = try cursor.readCount("the metadata count", minimumItemSize: 13)

        var metadata: [String: GGUFValue] = [:]
        metadata.reserveCapacity(keyCount)
        for index in 0..<keyCount {
            let key = try cursor.readString("metadata key #\(index)")
            let typeOffset = cursor.offset
            let type = try cursor.read(UInt32.self, "the type of '\(key)'")
            let value = try Self.readValue(type: type, key: key, typeOffset: typeOffset, &cursor)
            guard metadata.updateValue(value, forKey: key) == nil else { throw .duplicateKey(key) }
        }

        let alignment = metadata["general.alignment"]?.int ?? 32
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= 1 << 20 else {
            throw .invalidTensor(name: "*", reason: "general.alignment \(alignment) is not a power of two")
        }

        struct RawInfo { let name: String; let dimensions: [Int]; let code: UInt32; let offset: UInt64 }
        var raw: [RawInfo] = []
        raw.reserveCapacity(tensorCount)
        for index in 0..<tensorCount {
            let name = try cursor.readString("the name of tensor #\(index)")
            let dimensionCount = try cursor.read(UInt32.self, "the dimension count of '\(name)'")
            guard (1...4).contains(dimensionCount) else {
                throw .invalidTensor(name: name, reason: "has \(dimensionCount) dimensions; 1 to 4 are allowed")
            }
            var dimensions: [Int] = []
            for axis in 0..<Int(dimensionCount) {
                let extent = try cursor.read(UInt64.self, "dimension \(axis) of '\(name)'")
                guard extent > 0, extent <= UInt64(Int32.max) else {
                    throw .invalidTensor(name: name, reason: "dimension \(axis) is \(extent)")
                }
                dimensions.append(Int(extent))
            }
            let code = try cursor.read(UInt32.self, "the type of '\(name)'")
            let offset = try cursor.read(UInt64.self, "the offset of '\(name)'")
            raw.append(RawInfo(name: name, dimensions: dimensions, code: code, offset: offset))
        }

        let dataStart = (cursor.offset + alignment - 1) / alignment * alignment
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for info in raw {
            guard let type = GGMLType(rawValue: info.code) else { throw .unsupportedTensorType(name: info.name, code: info.code) }
            let (elements, overflow) = info.dimensions.reduce((1, false)) { acc, extent in
                let product = acc.0.multipliedReportingOverflow(by: extent)
                return (product.partialValue, acc.1 || product.overflow)
            }
            guard !overflow else { throw .invalidTensor(name: info.name, reason: "its size overflows") }
            guard info.dimensions[0] % type.blockSize == 0 else {
                throw .invalidTensor(name: info.name, reason: "row length \(info.dimensions[0]) is not a multiple of \(GGMLType.name(of: info.code))'s block of \(type.blockSize)")
            }
            let byteCount = elements / type.blockSize * type.bytesPerBlock
            guard info.offset % UInt64(alignment) == 0 else {
                throw .invalidTensor(name: info.name, reason: "offset \(info.offset) is not aligned to \(alignment)")
            }
            guard info.offset <= UInt64(mapping.count), dataStart + Int(info.offset) <= mapping.count - byteCount else {
                throw .invalidTensor(name: info.name, reason: "its \(byteCount) bytes at offset \(info.offset) end past the file's \(mapping.count) bytes (truncated download?)")
            }
            guard index.updateValue(tensors.count, forKey: info.name) == nil else { throw .duplicateTensor(info.name) }
            tensors.append(GGUFTensorInfo(name: info.name, dimensions: info.dimensions, type: type,
                                          fileOffset: dataStart + Int(info.offset), byteCount: byteCount))
        }

        self.path = path
        self.version = version
        self.metadata = metadata
        self.tensors = tensors
        self.alignment = alignment
        self.size = mapping.count
        self.tensorIndex = index
        self.mapping = mapping
        self.ownsMapping = ownsMapping
    }

    deinit {
        if ownsMapping, let base = mapping.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mapping.count)
        }
    }

    private static func readValue(type: UInt32, key: String, typeOffset: Int, _ cursor: inout ByteCursor, depth: Int = 0) throws(GGUFError) -> GGUFValue {
        switch type {
        case 0: return .uint8(try cursor.read(UInt8.self, "'\(key)'"))
        case 1: return .int8(try cursor.read(Int8.self, "'\(key)'"))
        case 2: return .uint16(try cursor.read(UInt16.self, "'\(key)'"))
        case 3: return .int16(try cursor.read(Int16.self, "'\(key)'"))
        case 4: return .uint32(try cursor.read(UInt32.self, "'\(key)'"))
        case 5: return .int32(try cursor.read(Int32.self, "'\(key)'"))
        case 6: return .float32(try cursor.readFloat("'\(key)'"))
        case 7:
            let byte = try cursor.read(UInt8.self, "'\(key)'")
            return .bool(byte != 0)
        case 8: return .string(try cursor.readString("'\(key)'"))
        case 9:
            guard depth == 0 else { throw .invalidValueType(key: key, code: type, offset: typeOffset) }
            let elementOffset = cursor.offset
            let elementType = try cursor.read(UInt32.self, "the element type of '\(key)'")
            let size = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 10: 8, 11: 8, 12: 8][elementType]
            guard let size else { throw .invalidValueType(key: key, code: elementType, offset: elementOffset) }
            let count = try cursor.readCount("the length of '\(key)'", minimumItemSize: size)
            var values: [GGUFValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                values.append(try readValue(type: elementType, key: key, typeOffset: elementOffset, &cursor, depth: depth + 1))
            }
            return .array(values)
        case 10: return .uint64(try cursor.read(UInt64.self, "'\(key)'"))
        case 11: return .int64(try cursor.read(Int64.self, "'\(key)'"))
        case 12: return .float64(try cursor.readDouble("'\(key)'"))
        default: throw .invalidValueType(key: key, code: type, offset: typeOffset)
        }
    }

    // MARK: Access

    /// The tensor with this name, if present.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor of this file (valid while the file object lives).
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping[tensor.fileOffset..<tensor.fileOffset + tensor.byteCount])
    }

    /// Gives back the memory of a tensor's pages once its bytes were copied elsewhere (repacked
    /// weights): they leave the process's resident set, and are read from the file again if the
    /// tensor is touched later (an embedding lookup).
    /// `bytes` are offsets in the file; only whole pages inside them are given back.
    func releasePages(_ bytes: Range<Int>) {
        guard ownsMapping, let base = mapping.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (bytes.lowerBound + page - 1) / page * page, end = min(bytes.upperBound, mapping.count) / page * page
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    public func string(_ key: String) -> String? { metadata[key]?.string }
    public func int(_ key: String) -> Int? { metadata[key]?.int }
    public func float(_ key: String) -> Float? { metadata[key]?.float }
    public func bool(_ key: String) -> Bool? { metadata[key]?.bool }
    public func strings(_ key: String) -> [String]? {
        guard let array = metadata[key]?.array else { return nil }
        var result: [String] = []
        result.reserveCapacity(array.count)
        for value in array {
            guard let string = value.string else { return nil }
            result.append(string)
        }
        return result
    }
    public func floats(_ key: String) -> [Float]? {
        guard let array = metadata[key]?.array else { return nil }
        var result: [Float] = []
        result.reserveCapacity(array.count)
        for value in array {
            guard let float = value.float else { return nil }
            result.append(float)
        }
        return result
    }
    public func ints(_ key: String) -> [Int]? {
        guard let array = metadata[key]?.array else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for value in array {
            guard let int = value.int else { return nil }
            result.append(int)
        }
        return result
    }
}
