/// What the gateway asks the policy about: who sends which texts where, about whom, for what.
public struct TransferRequest: Sendable {
    /// The calling organisation (the controller); nil for an operator acting for no organisation.
    public var organisationID: String?
    /// The user sending the request.
    public var actor: String
    /// `X-Nuri-Data-Subject`: the pseudonymous id of the person the data is about.
    public var subject: String?
    /// `X-Nuri-Purpose`: the purpose the caller declares.
    public var purpose: String?
    public var destination: Destination
    public var texts: [String]

    public init(organisationID: String?, actor: String, subject: String?, purpose: String?, destination: Destination, texts: [String]) {
        self.organisationID = organisationID
        self.actor = actor
        self.subject = subject
        self.purpose = purpose
        self.destination = destination
        self.texts = texts
    }
}

/// The policy's answer on a request: send as is, send masked, or do not send.
public struct TransferDecision: Sendable {
    public enum Action: String, Sendable, Hashable, Codable {
        case allow, mask, block
    }

    public var action: Action
    /// Why, as a code: `no_personal_data`, `in_house`, `entrusted_domestic`, `consent`,
    /// `rrn_never_forwarded`, `no_third_party_consent`, `no_overseas_consent`,
    /// `no_unique_identifier_consent`, `sensitive_without_consent`.
    public var reason: String
    /// For a block: what happened and what to do.
    public var message: String
    /// The texts to send (masked when the action is `mask`; unchanged when `allow`).
    public var texts: [String]
    /// Entity type → count found in the request.
    public var entities: [String: Int]
    public var sensitive: [SensitiveCategory]
    /// The screen the backend's answer passes through on its way back.
    public var output: OutputScreen
}
