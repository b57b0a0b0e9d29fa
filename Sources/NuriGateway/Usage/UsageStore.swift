import Foundation
import NuriStore
import SQLKit

/// Usage records in the database.
public struct UsageStore: Sendable {
    let database: Database
    let now: @Sendable () -> Int

    public init(database: Database, now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.now = now
    }

    /// Records one request.
    public func record(_ usage: UsageRecord) async throws {
        try await record([usage])
    }

    /// Rows per INSERT. A batch of a few hundred records is written in short turns of the
    /// database's thread, so that a request on the same CPU (on a small machine) waits at most
    /// one of them, not the whole batch: 64-row statements held it for up to 0.5–0.7 ms, and
    /// 16 rows gave the gateway a lower p99 at the same p50 (docs/BENCHMARKS.md, "The p99").
    static let rowsPerStatement = 16

    /// Records several requests in one transaction, built on `executor` if one is given (see
    /// ``Database/transaction(preferring:_:)``).
    ///
    /// Each INSERT binds one value, its rows as a JSON array of arrays, which the database takes
    /// apart (`json_each`, `jsonb_array_elements`): twelve bound values a row made the encoding of
    /// the values cost more than the insert itself (about 5 µs a row).
    public func record(_ records: [UsageRecord], preferring executor: (any TaskExecutor)? = nil) async throws {
        guard !records.isEmpty else { return }
        let at = now(), kind = database.kind
        try await database.transaction(preferring: executor) { db in
            let ids = RecordIdentifier.makeTimeOrdered("use", milliseconds: Int(Date().timeIntervalSince1970 * 1_000), count: records.count)
            for start in stride(from: 0, to: records.count, by: Self.rowsPerStatement) {
                let end = min(start + Self.rowsPerStatement, records.count)
                let rows = Self.rowsJSON(records[start..<end], ids: ids[start..<end], createdAt: at)
                try await db.raw(Self.insert(rows, kind: kind)).run()
            }
        }
    }

    /// The INSERT of the rows in `rows` (see ``rowsJSON(_:ids:createdAt:)``), for `kind`.
    static func insert(_ rows: String, kind: DatabaseKind) -> SQLQueryString {
        let columns = "id, created_at, organisation_id, user_id, token_id, model, backend, endpoint, prompt_tokens, completion_tokens, latency_ms, status"
        switch kind {
        case .sqlite:
            // `->>` gives SQL values: text, integer, or NULL for JSON null.
            return "INSERT INTO usage_records (\(unsafeRaw: columns)) SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11 FROM json_each(\(bind: rows))"
        case .postgres:
            return "INSERT INTO usage_records (\(unsafeRaw: columns)) SELECT r->>0, (r->>1)::bigint, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7, (r->>8)::bigint, (r->>9)::bigint, (r->>10)::bigint, (r->>11)::bigint FROM jsonb_array_elements(\(bind: rows)::jsonb) AS r"
        }
    }

    /// `[[id, created_at, organisation_id, user_id, token_id, model, backend, endpoint,
    /// prompt_tokens, completion_tokens, latency_ms, status], …]`, one array per record.
    static func rowsJSON(_ records: ArraySlice<UsageRecord>, ids: ArraySlice<String>, createdAt: Int) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(records.count * 160)
        for (record, id) in zip(records, ids) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            for (index, value) in [JSONValue.string(id), .number(Double(record.createdAt ?? createdAt)),
                                   record.organisationID.map(JSONValue.string) ?? .null, .string(record.userID), .string(record.tokenID),
                                   .string(record.model), .string(record.backend), .string(record.endpoint),
                                   .number(Double(record.promptTokens)), .number(Double(record.completionTokens)),
                                   .number(Double(record.latencyMilliseconds)), .number(Double(record.status))].enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Usage since `since` (Unix seconds), per model and organisation, optionally narrowed.
    public func summary(since: Int, organisationID: String? = nil, userID: String? = nil, model: String? = nil) async throws -> [UsageSummary] {
        try await database.read { db in
            var query = SQLQueryString("""
                SELECT model, organisation_id, COUNT(*) AS requests,
                       CAST(COALESCE(SUM(prompt_tokens), 0) AS BIGINT) AS prompt_tokens,
                       CAST(COALESCE(SUM(completion_tokens), 0) AS BIGINT) AS completion_tokens,
                       CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT) AS errors
                FROM usage_records WHERE created_at >= \(bind: since)
                """)
            if let organisationID { query.appendInterpolation(unsafeRaw: " AND organisation_id = "); query.appendInterpolation(bind: organisationID) }
            if let userID { query.appendInterpolation(unsafeRaw: " AND user_id = "); query.appendInterpolation(bind: userID) }
            if let model { query.appendInterpolation(unsafeRaw: " AND model = "); query.appendInterpolation(bind: model) }
            query.appendInterpolation(unsafeRaw: " GROUP BY model, organisation_id ORDER BY model, organisation_id")
            return try await db.raw(query).all().map { row in
                UsageSummary(
                    model: try row.decode(column: "model", as: String.self),
                    organisationID: try row.decode(column: "organisation_id", as: String?.self),
                    requests: try row.decode(column: "requests", as: Int.self),
                    promptTokens: try row.decode(column: "prompt_tokens", as: Int.self),
                    completionTokens: try row.decode(column: "completion_tokens", as: Int.self),
                    errors: try row.decode(column: "errors", as: Int.self))
            }
        }
    }
}
