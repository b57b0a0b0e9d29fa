/// Who may use a model: every caller with the `inference` scope, or only the members of some
/// organisations. Platform operators may use every model.
public enum ModelAccess: Sendable, Equatable {
    case everyone
    /// Organisation names, compared case-insensitively (names share one case-insensitive
    /// namespace).
    case organisations(Set<String>)

    /// Access for the members of `names`; nil means everyone.
    public init(organisations names: [String]?) {
        guard let names else {
            self = .everyone
            return
        }
        self = .organisations(Set(names.map { $0.lowercased() }))
    }

    /// Whether `viewer` may use the model.
    public func allows(_ viewer: ModelViewer) -> Bool {
        switch self {
        case .everyone: return true
        case .organisations(let names):
            return viewer.isOperator || viewer.organisationNames.contains { names.contains($0.lowercased()) }
        }
    }
}

/// The caller, as far as model visibility goes: an operator sees every model, anyone else the
/// models open to everyone and those of the organisations they act in (a token scoped to an
/// organisation acts in that one only).
public struct ModelViewer: Sendable {
    public let isOperator: Bool
    public let organisationNames: [String]

    public init(isOperator: Bool, organisationNames: [String]) {
        self.isOperator = isOperator
        self.organisationNames = organisationNames
    }
}
