/// The one hook every inference request passes through before it leaves for a backend, and
/// again on the way back. The guard (personal-data detection, consent, transfer rules) plugs in
/// here without the gateway changing.
public protocol RequestPolicy: Sendable {
    /// Decides on the texts a request would send to `input.backend`, and returns the filter its
    /// answer passes through on the way back.
    func inspect(_ input: PolicyInput) async throws -> PolicyVerdict
}

/// The policy's answer on a request: the decision on its input and the filter for its output.
public struct PolicyVerdict: Sendable {
    public var decision: PolicyDecision
    /// A fresh filter for one answer; copy it for each of several choices.
    public var output: any OutputFilter

    public init(_ decision: PolicyDecision, output: any OutputFilter = PassThroughFilter()) {
        self.decision = decision
        self.output = output
    }
}

/// What a backend's answer passes through before it reaches the caller. Streams give it a piece
/// at a time: it may hold text back (a number can span tokens) and releases the rest at the end.
public protocol OutputFilter: Sendable {
    /// The text to send now, given the next piece of the answer.
    mutating func pass(_ piece: String) async throws -> String
    /// Whatever is still held back, at the end of the answer.
    mutating func finish() async throws -> String
    /// How much of the answer given to ``pass(_:)`` is held back now, in Unicode scalars of the
    /// raw text (``ScreenedLogProbs`` lines the tokens' log probabilities up with it).
    var heldScalars: Int { get }
}

extension OutputFilter {
    /// A whole (non-streamed) answer.
    public mutating func screen(_ text: String) async throws -> String {
        let head = try await pass(text)
        return head + (try await finish())
    }
}

/// Passes every piece on at once.
public struct PassThroughFilter: OutputFilter {
    public init() {}
    public mutating func pass(_ piece: String) async throws -> String { piece }
    public mutating func finish() async throws -> String { "" }
    public var heldScalars: Int { 0 }
}

/// What the policy knows about a request.
public struct PolicyInput: Sendable {
    public let organisationID: String?
    public let userID: String
    /// The API token the request came with (audit records name it).
    public let tokenID: String?
    public let model: String
    public let backend: BackendLabels
    /// `X-Nuri-Data-Subject`: the pseudonymous id of the person the data is about, if given.
    public let dataSubject: String?
    /// `X-Nuri-Purpose`: the purpose the caller declares, if given.
    public let purpose: String?
    /// The texts that would leave (message contents, or prompts).
    public let texts: [String]

    public init(organisationID: String?, userID: String, tokenID: String? = nil, model: String, backend: BackendLabels, dataSubject: String?,
                purpose: String?, texts: [String]) {
        self.organisationID = organisationID
        self.userID = userID
        self.tokenID = tokenID
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

/// Everything passes unchanged: for tests of the gateway alone. The server runs the guard.
public struct AllowAllPolicy: RequestPolicy {
    public init() {}
    public func inspect(_ input: PolicyInput) async throws -> PolicyVerdict { PolicyVerdict(.allow) }
}
