/// What a caller asks to be recorded: who did what to what, the decision and why, and — when
/// personal data was involved — its types, counts and keyed hashes (never the values).
public struct AuditEntry: Sendable, Hashable {
    /// The user (or `system`) who acted.
    public var actor: String
    public var organisationID: String?
    /// What happened: `gateway.transfer`, `gateway.output`, `consent.grant`, `admin.token.create`, …
    public var action: String
    /// What it happened to: a model, a consent, a token id.
    public var target: String
    /// `allow`, `mask`, `block`, `recorded`, …
    public var decision: String
    /// Why, as a code: `in_house`, `consent`, `rrn_never_forwarded`, …
    public var reason: String
    /// Entity type → count.
    public var entities: [String: Int]
    /// Keyed hashes of the values involved (`PHONE:3fa9…`), so an inspector can tell whether the
    /// same value came up twice without seeing it.
    public var valueHashes: [String]

    public init(actor: String, organisationID: String?, action: String, target: String, decision: String, reason: String,
                entities: [String: Int] = [:], valueHashes: [String] = [], subjectHash: String? = nil) {
        self.actor = actor
        self.organisationID = organisationID
        self.action = action
        self.target = target
        self.decision = decision
        self.reason = reason
        self.entities = entities
        self.valueHashes = (subjectHash.map { [$0] } ?? []) + valueHashes
    }
}

/// One record of the chain as stored.
public struct AuditRecord: Sendable, Hashable, Codable {
    public var seq: Int
    /// Unix seconds.
    public var createdAt: Int
    public var actor: String
    public var organisationID: String?
    public var action: String
    public var target: String
    public var decision: String
    public var reason: String
    /// JSON object, keys sorted: entity type → count.
    public var entities: String
    /// JSON array of keyed hashes.
    public var valueHashes: String
    public var previousHash: String
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case seq, actor, action, target, decision, reason, entities, hash
        case createdAt = "created_at"
        case organisationID = "organisation_id"
        case valueHashes = "value_hashes"
        case previousHash = "previous_hash"
    }

    /// The bytes the record's hash covers: every field, length-prefixed so no two records
    /// serialise alike, then the previous record's hash.
    var canonical: String {
        [String(seq), String(createdAt), actor, organisationID ?? "", action, target, decision, reason, entities, valueHashes, previousHash]
            .map { "\($0.utf8.count):\($0)" }
            .joined(separator: "|")
    }
}

/// A signed statement that the chain's record `seq` had hash `headHash`.
public struct AuditCheckpoint: Sendable, Hashable, Codable {
    public var seq: Int
    public var headHash: String
    /// Base64 Ed25519 public key that made the signature.
    public var publicKey: String
    /// Base64 signature of ``message``.
    public var signature: String
    public var createdAt: Int

    enum CodingKeys: String, CodingKey {
        case seq, signature
        case headHash = "head_hash"
        case publicKey = "public_key"
        case createdAt = "created_at"
    }

    static func message(seq: Int, headHash: String) -> String {
        "nuri-audit-checkpoint\n\(seq)\n\(headHash)"
    }
}

/// What `verify` found.
public struct AuditVerification: Sendable, Hashable, Codable {
    /// A problem at a record: what is wrong and where.
    public struct Problem: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable {
            case altered, removed, reordered, badCheckpoint = "bad_checkpoint"
        }
        public var seq: Int
        public var kind: Kind
        public var message: String
    }

    public var records: Int
    public var firstSeq: Int?
    public var lastSeq: Int?
    public var checkpoints: Int
    public var lastCheckpoint: Int?
    /// The first problem found, in chain order; nil when the chain is intact.
    public var problem: Problem?

    public var isIntact: Bool { problem == nil }

    enum CodingKeys: String, CodingKey {
        case records, checkpoints, problem, intact
        case firstSeq = "first_seq"
        case lastSeq = "last_seq"
        case lastCheckpoint = "last_checkpoint"
    }

    public init(records: Int, firstSeq: Int?, lastSeq: Int?, checkpoints: Int, lastCheckpoint: Int?, problem: Problem?) {
        self.records = records
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.checkpoints = checkpoints
        self.lastCheckpoint = lastCheckpoint
        self.problem = problem
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(records: try container.decode(Int.self, forKey: .records), firstSeq: try container.decodeIfPresent(Int.self, forKey: .firstSeq),
                  lastSeq: try container.decodeIfPresent(Int.self, forKey: .lastSeq), checkpoints: try container.decode(Int.self, forKey: .checkpoints),
                  lastCheckpoint: try container.decodeIfPresent(Int.self, forKey: .lastCheckpoint),
                  problem: try container.decodeIfPresent(Problem.self, forKey: .problem))
    }

    /// Every key, `null` included, and `intact` for readers who want one flag.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isIntact, forKey: .intact)
        try container.encode(records, forKey: .records)
        try container.encode(firstSeq, forKey: .firstSeq)
        try container.encode(lastSeq, forKey: .lastSeq)
        try container.encode(checkpoints, forKey: .checkpoints)
        try container.encode(lastCheckpoint, forKey: .lastCheckpoint)
        try container.encode(problem, forKey: .problem)
    }
}
