import NuriEngine

/// The models the gateway serves, by the name clients use in `model`.
public final class Gateway: Sendable {
    public let backends: [String: ModelBackend]

    public init(backends: [LocalBackend], remotes: [RemoteBackend] = []) {
        var byName: [String: ModelBackend] = [:]
        for backend in backends { byName[backend.name] = .local(backend) }
        for remote in remotes { byName[remote.name] = .remote(remote) }
        self.backends = byName
    }

    /// The backend serving `name`, or 404.
    public func backend(_ name: String) throws(GatewayError) -> ModelBackend {
        guard let backend = backends[name] else { throw .modelNotFound(name) }
        return backend
    }

    /// The local backend serving `name`: 404 if none, 400 if the model is remote.
    public func localBackend(_ name: String, for feature: String) throws(GatewayError) -> LocalBackend {
        switch try backend(name) {
        case .local(let backend): return backend
        case .remote: throw .invalidRequest(param: "model", message: "\(feature) is available for models served by this Nuri, not for the remote model '\(name)'")
        }
    }

    /// Names, sorted.
    public var modelNames: [String] { backends.keys.sorted() }
}
