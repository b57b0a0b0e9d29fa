/// What can go wrong in the hub, with the context the caller needs.
///
/// `NuriServer` maps each case to one HTTP status and, on the Hugging Face-compatible routes, to
/// the `X-Error-Code` header the `huggingface_hub` client reads (`RepoNotFound`,
/// `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
public enum HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The repository does not exist, or the caller may not know that it does (404).
    case repositoryNotFound(String)
    /// No branch, tag or commit of that name in the repository (404).
    case revisionNotFound(repository: String, revision: String)
    /// No file (or folder) at that path in the commit (404); `commit` lets clients cache the absence.
    case entryNotFound(path: String, commit: String?)
    /// The repository is gated and the caller has no approved access (403).
    case gated(String)
    /// The caller is known but may not do this (403).
    case forbidden(String)
    /// The caller must sign in first (401).
    case unauthenticated(String)
    /// Bad input: a path, a name, a field (400).
    case invalidInput(param: String?, message: String)
    /// The repository already exists (409); `id` is its `owner/name`.
    case repositoryExists(id: String)
    /// The branch moved since the caller read it (412).
    case staleParent(expected: String, found: String)
    /// An uploaded blob does not match its announced hash or size (400).
    case blobMismatch(String)
    /// A commit names a large file whose content was never uploaded (400).
    case blobMissing(sha256: String)
    /// Something exists already or conflicts with the current state (409).
    case conflict(String)

    public var description: String {
        switch self {
        case .repositoryNotFound(let id):
            return "Repository Not Found for '\(id)': it does not exist, or you may not see it (check the name and your token)."
        case .revisionNotFound(let repository, let revision):
            return "Invalid rev id: '\(revision)' is not a branch, tag or commit of \(repository)."
        case .entryNotFound(let path, _):
            return "Entry Not Found: no file '\(path)' in this revision."
        case .gated(let id):
            return "Access to model \(id) is restricted: ask for access (`nuri access request \(id) --reason …`) and wait for an admin of its owner to approve."
        case .forbidden(let message), .unauthenticated(let message), .conflict(let message), .blobMismatch(let message):
            return message
        case .invalidInput(_, let message):
            return message
        case .repositoryExists(let id):
            return "You already created this model repo: \(id)"
        case .staleParent(let expected, let found):
            return "The branch moved: parent commit \(expected) is not its head (\(found)); pull and commit again."
        case .blobMissing(let sha256):
            return "The large file with sha256 \(sha256) was never uploaded (or failed its check); upload it through the LFS batch API first."
        }
    }
}
