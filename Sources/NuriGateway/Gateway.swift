import NuriEngine

/// The models the gateway serves, by the name clients use in `model`, and who may use each.
///
/// A model the caller may not use answers exactly as a model that does not exist (404
/// `model_not_found`), so that restricted models do not leak their names.
public final class Gateway: Sendable {
    public let backends: [String: ModelBackend]
    /// Access per model name; a model without an entry is open to everyone.
    public let access: [String: ModelAccess]

    public init(backends: [LocalBackend], remotes: [RemoteBackend] = [], access: [String: ModelAccess] = [:]) {
        var byName: [String: ModelBackend] = [:]
        for backend in backends { byName[backend.name] = .local(backend) }
        for remote in remotes { byName[remote.name] = .remote(remote) }
        self.backends = byName
        self.access = access
    }

    /// The backend serving `name` for `viewer`, or 404 if there is none or the viewer may not use it.
    public func backend(_ name: String, for viewer: ModelViewer) throws(GatewayError) -> ModelBackend {
        guard let backend = backends[name], mayUse(name, viewer) else { throw .modelNotFound(name) }
        return backend
    }

    /// The local backend serving `name` for `viewer`: 404 if none (or not for this viewer), 400 if
    /// the model is remote.
    public func localBackend(_ name: String, for feature: String, viewer: ModelViewer) throws(GatewayError) -> LocalBackend {
        switch try backend(name, for: viewer) {
        case .local(let backend): return backend
        case .remote: throw .invalidRequest(param: "model", message: "\(feature) is available for models served by this Nuri, not for the remote model '\(name)'")
        }
    }

    /// Whether `viewer` may use the model `name` (whether or not it exists).
    public func mayUse(_ name: String, _ viewer: ModelViewer) -> Bool {
        (access[name] ?? .everyone).allows(viewer)
    }

    /// Every model's name, sorted.
    public var modelNames: [String] { backends.keys.sorted() }

    /// The names `viewer` may use, sorted.
    public func modelNames(for viewer: ModelViewer) -> [String] {
        modelNames.filter { mayUse($0, viewer) }
    }
}
