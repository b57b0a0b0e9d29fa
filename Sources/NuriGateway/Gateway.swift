import NuriEngine

/// The models the gateway serves, by the name clients use in `model`.
public final class Gateway: Sendable {
    public let backends: [String: LocalBackend]

    public init(backends: [LocalBackend]) {
        var byName: [String: LocalBackend] = [:]
        for backend in backends { byName[backend.name] = backend }
        self.backends = byName
    }

    /// The backend serving `name`, or 404.
    public func backend(_ name: String) throws(GatewayError) -> LocalBackend {
        guard let backend = backends[name] else { throw .modelNotFound(name) }
        return backend
    }

    /// Names, sorted.
    public var modelNames: [String] { backends.keys.sorted() }
}
