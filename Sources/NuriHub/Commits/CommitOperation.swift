/// One change in a commit, as the client's NDJSON lines describe them.
public enum CommitOperation: Sendable, Equatable {
    /// A regular file whose bytes are already in the blob store (the server stored them as the
    /// line arrived); `gitOID` is its git blob id.
    case addRegular(path: RepositoryPath, blob: StoredBlob, gitOID: String)
    /// A large file uploaded before through the LFS batch API; `size` is nil when the client
    /// copies a file (it then does not send it).
    case addLFS(path: RepositoryPath, sha256: String, size: Int?)
    /// Deletes a file.
    case deleteFile(RepositoryPath)
    /// Deletes every file below a folder.
    case deleteFolder(RepositoryPath)
}

/// The header line of a commit.
public struct CommitRequest: Sendable {
    public var title: String
    public var description: String
    /// When set, the branch must still be at this commit (else ``HubError/staleParent(expected:found:)``).
    public var parentCommit: String?
    public var operations: [CommitOperation]

    public init(title: String, description: String = "", parentCommit: String? = nil, operations: [CommitOperation] = []) {
        self.title = title
        self.description = description
        self.parentCommit = parentCommit
        self.operations = operations
    }
}
