import Foundation
import NuriStore
import SQLKit

/// Limits in the database.
public struct LimitStore: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Sets (replaces) the limits of a subject.
    public func set(_ limits: Limits, for subject: LimitSubject) async throws {
        let now = Int(Date().timeIntervalSince1970)
        try await database.transaction { db in
            try await db.raw("DELETE FROM rate_limits WHERE subject = \(bind: subject.key)").run()
            try await db.raw("""
                INSERT INTO rate_limits (subject, requests_per_minute, tokens_per_minute, token_budget, budget_period, updated_at)
                VALUES (\(bind: subject.key), \(bind: limits.requestsPerMinute), \(bind: limits.tokensPerMinute),
                        \(bind: limits.tokenBudget), \(bind: limits.period.rawValue), \(bind: now))
                """).run()
        }
    }

    /// Removes the limits of a subject (it becomes unlimited); whether there were any.
    @discardableResult
    public func remove(for subject: LimitSubject) async throws -> Bool {
        try await database.transaction { db in
            let existed = try await db.raw("SELECT subject FROM rate_limits WHERE subject = \(bind: subject.key)").first() != nil
            try await db.raw("DELETE FROM rate_limits WHERE subject = \(bind: subject.key)").run()
            return existed
        }
    }

    /// The limits of a subject, if any were set.
    public func limits(for subject: LimitSubject) async throws -> Limits? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM rate_limits WHERE subject = \(bind: subject.key)").first() else { return nil }
            return try Self.limits(row)
        }
    }

    /// Every subject's limits, by subject key (`org:<id>`, `token:<id>`).
    public func all() async throws -> [(String, Limits)] {
        try await database.read { db in
            try await db.raw("SELECT * FROM rate_limits ORDER BY subject").all().map { row in
                (try row.decode(column: "subject", as: String.self), try Self.limits(row))
            }
        }
    }

    /// Every subject's limits, organisations first.
    public func entries() async throws -> [(LimitSubject, Limits)] {
        try await all().compactMap { key, limits in LimitSubject(key: key).map { ($0, limits) } }
    }

    static func limits(_ row: any SQLRow) throws -> Limits {
        Limits(requestsPerMinute: try row.decode(column: "requests_per_minute", as: Int?.self),
               tokensPerMinute: try row.decode(column: "tokens_per_minute", as: Int?.self),
               tokenBudget: try row.decode(column: "token_budget", as: Int?.self),
               period: BudgetPeriod(rawValue: try row.decode(column: "budget_period", as: String?.self) ?? "month") ?? .month)
    }

    /// Tokens used by a subject in `[start, end)`, from the usage records.
    func tokensUsed(by subject: LimitSubject, from start: Int) async throws -> Int {
        try await database.read { db in
            let column = { () -> String in
                switch subject {
                case .organisation: "organisation_id"
                case .token: "token_id"
                }
            }()
            let id: String = {
                switch subject {
                case .organisation(let id), .token(let id): id
                }
            }()
            let row = try await db.raw("""
                SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) AS used
                FROM usage_records WHERE \(unsafeRaw: column) = \(bind: id) AND created_at >= \(bind: start)
                """).first()
            return try row?.decode(column: "used", as: Int.self) ?? 0
        }
    }
}
