import Crypto
import Foundation
import NuriStore
import SQLKit

/// The append-only audit chain in the database.
///
/// Each record holds the keyed hash (HMAC-SHA256) of its own fields and of the record before, so
/// changing, removing or reordering one breaks the links at that record; every
/// `checkpointInterval` records (and on ``checkpoint()``) the head's hash is signed with Ed25519.
/// Appends are serialised by the database (SQLite's write lock, a PostgreSQL advisory lock), so
/// sequence numbers have no gaps.
public struct AuditLog: Sendable {
    let database: Database
    let keys: AuditKeys
    let checkpointInterval: Int
    let now: @Sendable () -> Int

    /// PIPA's safety standard asks access records of systems like this one to be kept at least
    /// two years.
    public static let minimumRetentionDays = 730
    static let genesis = String(repeating: "0", count: 64)
    static let lockKey = 0x6e75_7269_6175_64 // "nuriaud"

    public init(database: Database, keys: AuditKeys, checkpointInterval: Int = 1_000,
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.keys = keys
        self.checkpointInterval = max(1, checkpointInterval)
        self.now = now
    }

    public var publicKey: String { keys.publicKey }

    /// The keyed hash of a personal value, normalised as the masker does (so `010-1234-5678`
    /// and `01012345678` hash alike): `PHONE:…` (128 bits, hex).
    public func keyedHash(value: String, type: PIIEntityType) -> String {
        let normalised = PIIMasker.normalized(value.unicodeScalars.map(\.value), type: type)
        return type.rawValue + ":" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data((type.rawValue + ":" + normalised).utf8), using: keys.valueKey).prefix(16))
    }

    /// The keyed hash of a data subject's pseudonymous id.
    public func keyedHash(subject: String) -> String {
        "subject:" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data(("subject:" + subject).utf8), using: keys.valueKey).prefix(16))
    }

    /// Appends a record in its own transaction.
    @discardableResult
    public func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await database.transaction { db in try await append(entry, in: db) }
    }

    /// Appends a record inside the caller's transaction (so the change and its record commit
    /// together).
    @discardableResult
    public func append(_ entry: AuditEntry, in db: any SQLDatabase) async throws -> AuditRecord {
        if database.kind == .postgres {
            try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey))").run()
        }
        let head = try await db.raw("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1").first()
        let previousSeq = try head?.decode(column: "seq", as: Int.self) ?? 0
        let previousHash = try head?.decode(column: "hash", as: String.self) ?? Self.genesis
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var record = AuditRecord(
            seq: previousSeq + 1, createdAt: now(), actor: entry.actor, organisationID: entry.organisationID, action: entry.action,
            target: entry.target, decision: entry.decision, reason: entry.reason,
            entities: String(decoding: try encoder.encode(entry.entities), as: UTF8.self),
            valueHashes: String(decoding: try encoder.encode(entry.valueHashes), as: UTF8.self),
            previousHash: previousHash, hash: "")
        record.hash = link(record)
        try await db.raw("""
            INSERT INTO audit_records (seq, created_at, actor, organisation_id, action, target, decision, reason, entities, value_hashes, previous_hash, hash)
            VALUES (\(bind: record.seq), \(bind: record.createdAt), \(bind: record.actor), \(bind: record.organisationID), \(bind: record.action),
                    \(bind: record.target), \(bind: record.decision), \(bind: record.reason), \(bind: record.entities), \(bind: record.valueHashes),
                    \(bind: record.previousHash), \(bind: record.hash))
            """).run()
        if record.seq % checkpointInterval == 0 {
            try await insertCheckpoint(seq: record.seq, headHash: record.hash, in: db)
        }
        return record
    }

    /// Signs the current head now (if it is not signed yet); returns the checkpoint.
    @discardableResult
    public func checkpoint() async throws -> AuditCheckpoint? {
        try await database.transaction { db in
            if database.kind == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey))").run()
            }
            guard let head = try await db.raw("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1").first() else { return nil }
            let seq = try head.decode(column: "seq", as: Int.self)
            if let existing = try await db.raw("SELECT * FROM audit_checkpoints WHERE seq = \(bind: seq)").first() {
                return try Self.checkpoint(from: existing)
            }
            return try await insertCheckpoint(seq: seq, headHash: try head.decode(column: "hash", as: String.self), in: db)
        }
    }

    @discardableResult
    private func insertCheckpoint(seq: Int, headHash: String, in db: any SQLDatabase) async throws -> AuditCheckpoint {
        let signature = try keys.signingKey.signature(for: Data(AuditCheckpoint.message(seq: seq, headHash: headHash).utf8))
        let checkpoint = AuditCheckpoint(seq: seq, headHash: headHash, publicKey: keys.publicKey,
                                         signature: Data(signature).base64EncodedString(), createdAt: now())
        try await db.raw("""
            INSERT INTO audit_checkpoints (seq, head_hash, public_key, signature, created_at)
            VALUES (\(bind: checkpoint.seq), \(bind: checkpoint.headHash), \(bind: checkpoint.publicKey), \(bind: checkpoint.signature), \(bind: checkpoint.createdAt))
            """).run()
        return checkpoint
    }

    /// Records with `from <= created_at < to` (Unix seconds), in chain order.
    public func records(from: Int = 0, to: Int = .max, organisationID: String? = nil, limit: Int? = nil) async throws -> [AuditRecord] {
        try await database.read { db in
            var query = SQLQueryString("SELECT * FROM audit_records WHERE created_at >= \(bind: from) AND created_at < \(bind: to)")
            if let organisationID { query.appendInterpolation(unsafeRaw: " AND organisation_id = "); query.appendInterpolation(bind: organisationID) }
            query.appendInterpolation(unsafeRaw: " ORDER BY seq")
            if let limit { query.appendInterpolation(unsafeRaw: " LIMIT \(max(0, limit))") }
            return try await db.raw(query).all().map(Self.record(from:))
        }
    }

    /// The checkpoints for records `from...to` (sequence numbers).
    public func checkpoints(fromSeq: Int = 0, toSeq: Int = .max) async throws -> [AuditCheckpoint] {
        try await database.read { db in
            try await db.raw("SELECT * FROM audit_checkpoints WHERE seq >= \(bind: fromSeq) AND seq <= \(bind: toSeq) ORDER BY seq").all().map(Self.checkpoint(from:))
        }
    }

    /// Walks the whole chain and every checkpoint; names the first record that was altered,
    /// removed or reordered. Checkpoints must carry this installation's public key (or
    /// `trustedPublicKey`, for an inspector who holds only that).
    public func verify(trustedPublicKey: String? = nil) async throws -> AuditVerification {
        let trusted = trustedPublicKey ?? keys.publicKey
        guard let publicKeyData = Data(base64Encoded: trusted),
              let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyData) else {
            throw GuardError.invalidInput(param: "public_key", message: "the public key must be a base64 Ed25519 key as `nuri audit public-key` prints it")
        }
        let checkpoints = try await self.checkpoints()
        var result = AuditVerification(records: 0, firstSeq: nil, lastSeq: nil, checkpoints: 0, lastCheckpoint: nil, problem: nil)
        // Checkpoints first: each must be signed by the trusted key.
        var signedHeads: [Int: String] = [:]
        for checkpoint in checkpoints {
            guard checkpoint.publicKey == trusted,
                  let signature = Data(base64Encoded: checkpoint.signature),
                  publicKey.isValidSignature(signature, for: Data(AuditCheckpoint.message(seq: checkpoint.seq, headHash: checkpoint.headHash).utf8)) else {
                result.problem = .init(seq: checkpoint.seq, kind: .badCheckpoint,
                                       message: "the checkpoint at record \(checkpoint.seq) is not signed by the trusted key")
                return result
            }
            signedHeads[checkpoint.seq] = checkpoint.headHash
        }
        result.checkpoints = checkpoints.count
        result.lastCheckpoint = checkpoints.last?.seq

        var previous: AuditRecord?
        var after = 0
        let page = 2_000
        while true {
            let from = after
            let batch = try await database.read { db in
                try await db.raw("SELECT * FROM audit_records WHERE seq > \(bind: from) ORDER BY seq LIMIT \(unsafeRaw: String(page))").all().map(Self.record(from:))
            }
            for record in batch {
                if let problem = check(record, after: previous, signedHeads: signedHeads) {
                    result.problem = problem
                    return result
                }
                if result.firstSeq == nil { result.firstSeq = record.seq }
                result.lastSeq = record.seq
                result.records += 1
                previous = record
            }
            guard batch.count == page, let last = batch.last else { break }
            after = last.seq
        }
        // A signed head past the end means records were removed from the tail.
        if let last = checkpoints.last, last.seq > (result.lastSeq ?? 0) {
            result.problem = .init(seq: (result.lastSeq ?? 0) + 1, kind: .removed,
                                   message: "records \((result.lastSeq ?? 0) + 1)…\(last.seq) were removed: a checkpoint signed record \(last.seq)")
        }
        return result
    }

    private func check(_ record: AuditRecord, after previous: AuditRecord?, signedHeads: [Int: String]) -> AuditVerification.Problem? {
        if let previous {
            if record.seq != previous.seq + 1 {
                return .init(seq: previous.seq + 1, kind: .removed,
                             message: "record \(previous.seq + 1) is missing (the chain jumps from \(previous.seq) to \(record.seq))")
            }
        } else if record.seq != 1 {
            // The start was pruned: the first record must follow a signed head.
            guard signedHeads[record.seq - 1] == record.previousHash else {
                return .init(seq: record.seq, kind: .removed,
                             message: "the chain starts at record \(record.seq) but no checkpoint signs record \(record.seq - 1) as its predecessor")
            }
        }
        guard link(record) == record.hash else {
            return .init(seq: record.seq, kind: .altered, message: "record \(record.seq) was altered: its contents do not match its hash")
        }
        if record.previousHash != (previous?.hash ?? (record.seq == 1 ? Self.genesis : record.previousHash)) {
            return .init(seq: record.seq, kind: .reordered,
                         message: "record \(record.seq) does not follow record \(record.seq - 1): records were removed, inserted or reordered")
        }
        if let signed = signedHeads[record.seq], signed != record.hash {
            return .init(seq: record.seq, kind: .altered, message: "record \(record.seq) differs from the one its checkpoint signed")
        }
        return nil
    }

    /// Deletes records older than `retentionDays` (never fewer than two years), only up to a
    /// checkpoint, so the remaining chain still starts at a signed head. Returns how many went.
    public func prune(retentionDays: Int) async throws -> Int {
        guard retentionDays >= Self.minimumRetentionDays else {
            throw GuardError.invalidInput(param: "retention_days", message: "audit records must be kept at least \(Self.minimumRetentionDays) days (two years)")
        }
        let cutoff = now() - retentionDays * 86_400
        return try await database.transaction { db in
            let row = try await db.raw("""
                SELECT MAX(c.seq) AS seq FROM audit_checkpoints c JOIN audit_records r ON r.seq = c.seq WHERE r.created_at < \(bind: cutoff)
                """).first()
            guard let upTo = try row?.decode(column: "seq", as: Int?.self) else { return 0 }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM audit_records WHERE seq <= \(bind: upTo)").first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw("DELETE FROM audit_records WHERE seq <= \(bind: upTo)").run()
            try await db.raw("DELETE FROM audit_checkpoints WHERE seq < \(bind: upTo)").run()
            return count
        }
    }

    func link(_ record: AuditRecord) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: Data(record.canonical.utf8), using: keys.chainKey))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { Hex.string(bytes) }

    static func record(from row: any SQLRow) throws -> AuditRecord {
        AuditRecord(
            seq: try row.decode(column: "seq", as: Int.self),
            createdAt: try row.decode(column: "created_at", as: Int.self),
            actor: try row.decode(column: "actor", as: String.self),
            organisationID: try row.decode(column: "organisation_id", as: String?.self),
            action: try row.decode(column: "action", as: String.self),
            target: try row.decode(column: "target", as: String.self),
            decision: try row.decode(column: "decision", as: String.self),
            reason: try row.decode(column: "reason", as: String.self),
            entities: try row.decode(column: "entities", as: String.self),
            valueHashes: try row.decode(column: "value_hashes", as: String.self),
            previousHash: try row.decode(column: "previous_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }

    static func checkpoint(from row: any SQLRow) throws -> AuditCheckpoint {
        AuditCheckpoint(
            seq: try row.decode(column: "seq", as: Int.self),
            headHash: try row.decode(column: "head_hash", as: String.self),
            publicKey: try row.decode(column: "public_key", as: String.self),
            signature: try row.decode(column: "signature", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int.self))
    }
}
