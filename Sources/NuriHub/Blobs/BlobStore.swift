import Crypto
import Foundation
import NuriStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File contents, addressed by their SHA-256, under `<data dir>/blobs/sha256/ab/cdef…`.
///
/// A blob is written to `blobs/tmp/` while its hash is computed, fsynced, checked against what
/// the uploader announced, and only then renamed to its final name (and the folder fsynced):
/// a file under its final name is always complete and always has that hash. The same content
/// uploaded twice is stored once.
public struct BlobStore: Sendable {
    /// `<data dir>/blobs`.
    public let root: String

    public init(dataDirectory: String) {
        root = (dataDirectory as NSString).appendingPathComponent("blobs")
    }

    /// Where the blob with this hash lives (whether or not it is there yet).
    public func path(sha256: String) -> String {
        let hex = sha256.lowercased()
        let first = hex.prefix(2)
        return "\(root)/sha256/\(first)/\(hex.dropFirst(2))"
    }

    /// The blob's size, or nil when it is not stored.
    public func size(sha256: String) -> Int? {
        guard SHA256Hex.isValid(sha256) else { return nil }
        var info = stat()
        guard stat(path(sha256: sha256), &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// A writer for a new blob.
    public func makeWriter() throws -> BlobWriter {
        try BlobWriter(store: self)
    }

    /// Stores `data` (small files that arrive whole).
    @discardableResult
    public func store(_ data: [UInt8]) throws -> StoredBlob {
        let writer = try makeWriter()
        do {
            try writer.write(data)
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Removes temporary files older than `age` seconds, left by a process that died mid-upload.
    public func removeStaleTemporaryFiles(olderThan age: TimeInterval = 24 * 3600) {
        let temporary = root + "/tmp"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary) else { return }
        let limit = Date().addingTimeInterval(-age)
        for name in names {
            let path = temporary + "/" + name
            if let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date, date < limit {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}

/// A blob in the store.
public struct StoredBlob: Sendable, Equatable {
    public let sha256: String
    public let size: Int
}

/// A SHA-256 computed piece by piece (for files too large to hold).
public struct ContentHasher {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ data: Data) { hasher.update(data: data) }

    /// Lower-case hex.
    public func hex() -> String { SHA256Hex.hex(hasher.finalize()) }
}

/// Lower-case 64-hex checks.
public enum SHA256Hex {
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    public static func of(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { Hex.string(digest) }
}

/// Writes one blob: bytes go to a temporary file while SHA-256 is computed; ``finish(expectedSHA256:expectedSize:)``
/// checks, fsyncs and renames. Used by one task at a time.
public final class BlobWriter {
    let store: BlobStore
    let temporaryPath: String
    private var descriptor: Int32
    private var hasher = SHA256()
    public private(set) var size = 0

    init(store: BlobStore) throws {
        self.store = store
        let temporary = store.root + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        temporaryPath = temporary + "/" + UUID().uuidString
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BlobStoreError.io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))") }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            hasher.update(bufferPointer: raw)
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BlobStoreError.io("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
            size += raw.count
        }
    }

    /// Checks the hash and size (when given), makes the bytes durable and puts the blob under its
    /// final name. On a mismatch nothing is stored and ``HubError/blobMismatch(_:)`` is thrown.
    public func finish(expectedSHA256: String? = nil, expectedSize: Int? = nil) throws -> StoredBlob {
        let sha256 = SHA256Hex.hex(hasher.finalize())
        defer { abort() }
        if let expectedSize, expectedSize != size {
            throw HubError.blobMismatch("received \(size) bytes, expected \(expectedSize); upload the whole file again")
        }
        if let expectedSHA256, expectedSHA256.lowercased() != sha256 {
            throw HubError.blobMismatch("the content's SHA-256 is \(sha256), not the announced \(expectedSHA256.prefix(64)); upload it again")
        }
        let final = store.path(sha256: sha256)
        if store.size(sha256: sha256) == size { return StoredBlob(sha256: sha256, size: size) }   // stored already: dedupe
        guard fsync(descriptor) == 0 else { throw BlobStoreError.io("fsync \(temporaryPath): \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        let folder = (final as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard rename(temporaryPath, final) == 0 else { throw BlobStoreError.io("rename to \(final): \(String(cString: strerror(errno)))") }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        return StoredBlob(sha256: sha256, size: size)
    }

    /// Drops the temporary file (after an error, or a client that went away).
    public func abort() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }
}

/// The disk failed us: full, unwritable, gone.
public enum BlobStoreError: Error, Sendable, CustomStringConvertible {
    case io(String)

    public var description: String {
        switch self {
        case .io(let message): return "blob store: \(message)"
        }
    }
}
