import Crypto
import Foundation

/// One consent a data subject gave a controlling organisation, as recorded in the ledger.
///
/// The subject is a pseudonymous id the organisation chooses (never a name or a resident
/// registration number); `textHash` is the SHA-256 of the consent text the subject was shown,
/// so the wording agreed to can be proved later.
public struct Consent: Sendable, Hashable, Codable {
    public var id: String
    /// The controlling organisation's id.
    public var organisationID: String
    public var subject: String
    public var kind: ConsentKind
    /// Why the controller processes the data (what the subject agreed to).
    public var purpose: String
    /// Which data items, e.g. `["name", "phone", "health"]`.
    public var dataItems: [String]
    /// Who receives the data: an organisation name, or a model name on this platform.
    public var recipient: String?
    /// What the recipient uses it for.
    public var recipientPurpose: String?
    /// How long the data may be kept, as told to the subject (e.g. `1y`, `until withdrawal`).
    public var retention: String
    /// ISO 3166 code of the country the data goes to, for `overseas_transfer`.
    public var overseasCountry: String?
    public var textHash: String
    /// How consent was obtained: `web`, `app`, `paper`, `phone`, …
    public var channel: String
    /// Unix seconds.
    public var grantedAt: Int
    public var expiresAt: Int?
    public var withdrawnAt: Int?
    /// The user who recorded it.
    public var recordedBy: String
    public var withdrawnBy: String?

    /// Whether the consent holds at `time` (granted, not expired, not withdrawn).
    public func isActive(at time: Int) -> Bool {
        grantedAt <= time && (expiresAt.map { time < $0 } ?? true) && (withdrawnAt.map { time < $0 } ?? true)
    }

    enum CodingKeys: String, CodingKey {
        case id, subject, kind, purpose, recipient, retention, channel
        case organisationID = "organisation_id"
        case dataItems = "data_items"
        case recipientPurpose = "recipient_purpose"
        case overseasCountry = "overseas_country"
        case textHash = "text_hash"
        case grantedAt = "granted_at"
        case expiresAt = "expires_at"
        case withdrawnAt = "withdrawn_at"
        case recordedBy = "recorded_by"
        case withdrawnBy = "withdrawn_by"
    }
}

/// What the caller gives to record a consent.
public struct ConsentGrant: Sendable, Hashable {
    public var subject: String
    public var kind: ConsentKind
    public var purpose: String
    public var dataItems: [String]
    public var recipient: String?
    public var recipientPurpose: String?
    public var retention: String
    public var overseasCountry: String?
    public var textHash: String
    public var channel: String
    public var grantedAt: Int?
    public var expiresAt: Int?

    public init(subject: String, kind: ConsentKind, purpose: String, dataItems: [String], recipient: String? = nil,
                recipientPurpose: String? = nil, retention: String, overseasCountry: String? = nil, textHash: String,
                channel: String, grantedAt: Int? = nil, expiresAt: Int? = nil) {
        self.subject = subject
        self.kind = kind
        self.purpose = purpose
        self.dataItems = dataItems
        self.recipient = recipient
        self.recipientPurpose = recipientPurpose
        self.retention = retention
        self.overseasCountry = overseasCountry
        self.textHash = textHash
        self.channel = channel
        self.grantedAt = grantedAt
        self.expiresAt = expiresAt
    }

    /// The lower-case hex SHA-256 of a consent text, as `text_hash` records it.
    public static func textHash(of text: some DataProtocol) -> String {
        AuditLog.hex(SHA256.hash(data: text))
    }

    /// Checks that the record is complete for its kind, naming the field to fix.
    public func validate() throws(GuardError) {
        func require(_ value: String?, _ param: String, _ why: String) throws(GuardError) {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidInput(param: param, message: "\(param) is required \(why)")
            }
            guard value.count <= 500, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidInput(param: param, message: "\(param) must be at most 500 characters without control characters")
            }
        }
        try require(subject, "subject", "(the pseudonymous id your organisation uses for the person)")
        guard subject.count <= 128 else { throw .invalidInput(param: "subject", message: "subject must be at most 128 characters") }
        try require(purpose, "purpose", "(what the data is processed for)")
        try require(retention, "retention", "(how long the data is kept, as told to the person, e.g. 1y)")
        try require(channel, "channel", "(how consent was obtained: web, app, paper, phone, …)")
        guard !dataItems.isEmpty, dataItems.allSatisfy({ !$0.isEmpty && $0.count <= 100 }) else {
            throw .invalidInput(param: "data_items", message: "data_items must list at least one item, e.g. [\"name\", \"phone\"]")
        }
        guard textHash.count == 64, textHash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw .invalidInput(param: "text_hash", message: "text_hash must be the lower-case hex SHA-256 of the consent text shown (64 characters)")
        }
        switch kind {
        case .thirdPartyProvision:
            try require(recipient, "recipient", "for a third_party_provision consent (the organisation or model receiving the data)")
            try require(recipientPurpose, "recipient_purpose", "for a third_party_provision consent")
        case .overseasTransfer:
            try require(recipient, "recipient", "for an overseas_transfer consent")
            guard let country = overseasCountry, country.count == 2, country.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw .invalidInput(param: "overseas_country", message: "overseas_country is required for an overseas_transfer consent: an ISO 3166 code such as US")
            }
        default:
            break
        }
        if let recipient { try require(recipient, "recipient", "") }
        if let grantedAt, let expiresAt, expiresAt <= grantedAt {
            throw .invalidInput(param: "expires_at", message: "expires_at must be after granted_at")
        }
    }
}
