import Crypto

/// A commit: an immutable tree of files with a message, an author and a parent.
public struct Commit: Sendable, Equatable {
    /// 40 lower-case hex digits.
    public let id: String
    public let repositoryID: String
    public let parentID: String?
    /// The first line of the message.
    public let title: String
    public let description: String
    /// The user who pushed it (nil for commits made by the server, e.g. the initial one).
    public let authorName: String?
    /// Unix seconds.
    public let createdAt: Int

    public init(id: String, repositoryID: String, parentID: String?, title: String, description: String, authorName: String?, createdAt: Int) {
        self.id = id
        self.repositoryID = repositoryID
        self.parentID = parentID
        self.title = title
        self.description = description
        self.authorName = authorName
        self.createdAt = createdAt
    }

    /// A commit's id: SHA-1 over the repository, the parent, the sorted tree, the author, the time
    /// and the message (git's idea, not git's bytes), so equal inputs in another repository or at
    /// another time give another id.
    static func makeID(repositoryID: String, parentID: String?, tree: [TreeEntry], author: String?, time: Int, title: String,
                       description: String, nonce: String) -> String {
        var hasher = Insecure.SHA1()
        func add(_ text: String) { hasher.update(data: Array((text + "\n").utf8)) }
        add("repository \(repositoryID)")
        add("parent \(parentID ?? "-")")
        for entry in tree.sorted(by: { $0.path < $1.path }) { add("\(entry.sha256) \(entry.size) \(entry.isLFS ? 1 : 0) \(entry.path.value)") }
        add("author \(author ?? "-") \(time) \(nonce)")
        add(title)
        add(description)
        return SHA256Hex.hex(hasher.finalize())
    }

    /// Whether `text` looks like a commit id.
    public static func isCommitID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// A branch or a tag.
public struct Reference: Sendable, Equatable {
    public enum Kind: String, Sendable { case branch, tag }
    public let kind: Kind
    public let name: String
    public let commitID: String
}
