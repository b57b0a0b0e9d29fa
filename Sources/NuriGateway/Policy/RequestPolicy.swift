/// The one hook every inference request passes through before it leaves for a backend, and
/// again on the way back. The guard (personal-data detection, consent, transfer rules) plugs in
/// here without the gateway changing.
public protocol RequestPolicy: Sendable {
    /// Decides on the texts a request would send to `input.backend`.
    func inspect(_ input: PolicyInput) async throws -> PolicyDecision
    /// Decides on text the backend produced before it reaches the caller (returns the text to
    /// send, possibly masked).
    func inspectOutput(_ text: String, of input: PolicyInput) async throws -> String
}

/// What the policy knows about a request.
public struct PolicyInput: Sendable {
    public let organisationID: String?
    public let userID: String
    public let model: String
    public let backend: BackendLabels
    /// `X-Nuri-Data-Subject`: the pseudonymous id of the person the data is about, if given.
    public let dataSubject: String?
    /// `X-Nuri-Purpose`: the purpose the caller declares, if given.
    public let purpose: String?
    /// The texts that would leave (message contents, or prompts).
    public let texts: [String]

    public init(organisationID: String?, userID: String, model: String, backend: BackendLabels, dataSubject: String?, purpose: String?, texts: [String]) {
        self.organisationID = organisationID
        self.userID = userID
        self.model = model
        self.backend = backend
        self.dataSubject = dataSubject
        self.purpose = purpose
        self.texts = texts
    }
}

/// The policy's answer for a request's input.
public enum PolicyDecision: Sendable, Equatable {
    /// Send the texts as they are.
    case allow
    /// Send these texts instead (same count and order), e.g. with personal data masked.
    case replace([String])
    /// Do not send; answer 403 with this code and message.
    case block(code: String, message: String)
}

/// The policy until the guard is configured: everything passes unchanged.
public struct AllowAllPolicy: RequestPolicy {
    public init() {}
    public func inspect(_ input: PolicyInput) async throws -> PolicyDecision { .allow }
    public func inspectOutput(_ text: String, of input: PolicyInput) async throws -> String { text }
}
