/// A model the gateway serves: in this process, or on another server.
public enum ModelBackend: Sendable {
    case local(LocalBackend)
    case remote(RemoteBackend)

    public var name: String {
        switch self {
        case .local(let backend): backend.name
        case .remote(let backend): backend.name
        }
    }

    public var labels: BackendLabels {
        switch self {
        case .local(let backend): backend.labels
        case .remote(let backend): backend.labels
        }
    }

    public var created: Int {
        switch self {
        case .local(let backend): backend.created
        case .remote(let backend): backend.created
        }
    }
}
