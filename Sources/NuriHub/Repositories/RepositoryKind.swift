/// What a repository holds. Models and datasets share every mechanism; only the URL prefix differs.
public enum RepositoryKind: String, Sendable, Codable, CaseIterable {
    case model
    case dataset

    /// The plural used in `/api/{models,datasets}/…` routes.
    public var plural: String { rawValue + "s" }

    /// The prefix of download and LFS URLs: none for models, `datasets/` for datasets.
    public var urlPrefix: String { self == .model ? "" : "datasets/" }

    /// `model`, `dataset`, `models` or `datasets` (the client sends either form), else nil.
    public init?(text: String) {
        switch text.lowercased() {
        case "model", "models": self = .model
        case "dataset", "datasets": self = .dataset
        default: return nil
        }
    }
}
