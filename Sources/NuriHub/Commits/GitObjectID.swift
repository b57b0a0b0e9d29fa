import Crypto

/// The git object ids the Hub client compares with: a regular file's blob SHA-1, and for large
/// (LFS) files the SHA-1 of the pointer file git would store in their place.
public enum GitObjectID {
    /// `sha1("blob <size>\0" + content)`, as `git hash-object` prints it.
    public static func blob(_ content: [UInt8]) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("blob \(content.count)\0".utf8))
        hasher.update(data: content)
        return SHA256Hex.hex(hasher.finalize())
    }

    /// The git-lfs pointer file for a large file.
    public static func lfsPointer(sha256: String, size: Int) -> [UInt8] {
        Array("version https://git-lfs.github.com/spec/v1\noid sha256:\(sha256)\nsize \(size)\n".utf8)
    }

    /// The blob id of that pointer.
    public static func lfsPointerBlob(sha256: String, size: Int) -> String {
        blob(lfsPointer(sha256: sha256, size: size))
    }
}
