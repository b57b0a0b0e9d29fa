/// One file of a commit's tree.
public struct TreeEntry: Sendable, Equatable {
    public let path: RepositoryPath
    /// The content's SHA-256: its name in the blob store.
    public let sha256: String
    /// Bytes.
    public let size: Int
    /// git's blob id: of the content for a regular file, of the LFS pointer for a large one.
    public let gitOID: String
    /// Whether it was committed as a large (LFS) file.
    public let isLFS: Bool

    public init(path: RepositoryPath, sha256: String, size: Int, gitOID: String, isLFS: Bool) {
        self.path = path
        self.sha256 = sha256
        self.size = size
        self.gitOID = gitOID
        self.isLFS = isLFS
    }

    /// The id the client compares a local file with before uploading it: the SHA-256 for large
    /// files, the git blob id for regular ones.
    public var uploadOID: String { isLFS ? sha256 : gitOID }

    /// The size of the LFS pointer file (for `pointerSize`).
    public var pointerSize: Int { GitObjectID.lfsPointer(sha256: sha256, size: size).count }
}
