import NuriIdentity

/// `owner/name`: the owner is an organisation or a user (their names share one namespace).
public struct RepositoryID: Sendable, Hashable, CustomStringConvertible {
    public let owner: String
    public let name: String

    public var description: String { "\(owner)/\(name)" }

    /// Checks both halves against the identity name rules (ASCII letters, digits, `-_.`).
    public init(owner: String, name: String) throws(HubError) {
        do {
            try Name.validate(owner, kind: "owner")
            try Name.validate(name, kind: "repository")
        } catch {
            throw .invalidInput(param: "name", message: error.description)
        }
        guard !name.hasSuffix(".git") else {
            throw .invalidInput(param: "name", message: "a repository name cannot end in '.git'")
        }
        self.owner = owner
        self.name = name
    }

    /// Parses `owner/name`.
    public init(parsing text: String) throws(HubError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidInput(param: "repo_id", message: "a repository id is 'owner/name', not '\(text.prefix(100))'")
        }
        try self.init(owner: String(parts[0]), name: String(parts[1]))
    }
}
