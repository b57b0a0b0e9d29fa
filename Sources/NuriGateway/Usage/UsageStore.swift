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

    /// Rows per INSERT: 12 bound values each stays far below both engines' limits on bound values.
    static let rowsPerStatement = 200

    /// Records several requests in one transaction.
    public func record(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        let at = now()
        try await database.transaction { db in
            for start in stride(from: 0, to: records.count, by: Self.rowsPerStatement) {
                var query = SQLQueryString("""
                    INSERT INTO usage_records (id, created_at, organisation_id, user_id, token_id, model, backend, endpoint,
                                               prompt_tokens, completion_tokens, latency_ms, status) VALUES
                    """)
                for (offset, usage) in records[start..<min(start + Self.rowsPerStatement, records.count)].enumerated() {
                    let id = RecordIdentifier.makeTimeOrdered("use", milliseconds: Int(Date().timeIntervalSince1970 * 1_000))
                    query.appendInterpolation(unsafeRaw: offset == 0 ? " (" : ", (")
                    for (index, value) in ([id, usage.createdAt ?? at, usage.organisationID, usage.userID, usage.tokenID, usage.model,
                                            usage.backend, usage.endpoint, usage.promptTokens, usage.completionTokens,
                                            usage.latencyMilliseconds, usage.status] as [any Encodable & Sendable]).enumerated() {
                        if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                        query.appendInterpolation(bind: value)
                    }
                    query.appendInterpolation(unsafeRaw: ")")
                }
                try await db.raw(query).run()
            }
        }
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
